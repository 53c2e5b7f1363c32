# frozen_string_literal: true

# AlderClient connects to an Alder cluster: a Thrift connection
# (FramedTransport + BinaryProtocol, DESIGN.md section 8) to the first
# reachable of several nodes, with a connect timeout and a request timeout.
#
# Any node can coordinate any request, so failing over is only a matter of
# trying the next address. A connection that saw a transport error (a reset,
# a timeout) is closed, because a late reply would otherwise be read as the
# answer to the next call; the next call connects again, starting with the
# address after the one that failed. The failed call is not retried: whether
# it was applied is unknown, and only the caller can tell whether repeating it
# is safe.
#
# Needs the generated code (module AlderApi) on $LOAD_PATH: ruby -I gen/rb.

require 'thrift'
require 'alder'

module AlderClient
  class Error < StandardError; end

  # No address accepted a connection; the message names each and why.
  class NoNodeReachable < Error; end

  # The node did not answer within the request timeout. Whether the request
  # was applied is unknown.
  class RequestTimeout < Error; end

  # The connection failed during a call (reset, closed, garbled reply).
  class ConnectionFailed < Error; end

  # The exceptions of alder.thrift: complete answers, after which the
  # connection stays usable.
  API_ERRORS = [AlderApi::InvalidArgument, AlderApi::NotFound,
                AlderApi::Unavailable, AlderApi::TimedOut].freeze

  DEFAULT_CONNECT_TIMEOUT_S = 1.0
  DEFAULT_REQUEST_TIMEOUT_S = 5.0

  # A connection to one node. Not thread-safe: give each thread its own.
  class Client
    # host:port of the node connected to; nil after a transport error closed
    # the connection (the next call connects again).
    attr_reader :address

    # Connects to the first of addresses ("host:port" strings) that accepts
    # within connect_timeout_s, trying them in order; raises NoNodeReachable
    # if none does. request_timeout_s bounds each wait for a node's reply.
    def initialize(addresses, connect_timeout_s: DEFAULT_CONNECT_TIMEOUT_S,
                   request_timeout_s: DEFAULT_REQUEST_TIMEOUT_S)
      raise NoNodeReachable, 'alder: no node reachable: no addresses given' if addresses.empty?

      @addresses = addresses.dup.freeze
      @connect_timeout_s = connect_timeout_s
      @request_timeout_s = request_timeout_s
      @next = 0 # index in @addresses the next connect starts at
      connect
    end

    # Stores value (bytes; sent as a binary copy) under key and returns the
    # version written (an Integer). ttl_ms nil: never expires; consistency
    # nil: QUORUM. Raises AlderApi::InvalidArgument, Unavailable, TimedOut,
    # or this module's RequestTimeout, ConnectionFailed, NoNodeReachable.
    def put(key, value, ttl_ms: nil, consistency: nil)
      options = AlderApi::WriteOptions.new(ttl_ms: ttl_ms, consistency: consistency)
      key = AlderClient.utf8_key(key)
      value = value.b
      call { |api| api.put(key, value, options) }
    end

    # Reads key and returns an AlderApi::Entry: value (an ASCII-8BIT String),
    # version, expires_at_ms (nil without a TTL). A missing, expired or
    # removed key raises AlderApi::NotFound; other errors as for put.
    def get(key, consistency: nil)
      options = AlderApi::ReadOptions.new(consistency: consistency)
      key = AlderClient.utf8_key(key)
      call { |api| api.get(key, options) }
    end

    # Removes key and returns the version of the tombstone written. Removing
    # an absent key is not an error. Errors as for put.
    def remove(key, consistency: nil)
      options = AlderApi::WriteOptions.new(consistency: consistency)
      key = AlderClient.utf8_key(key)
      call { |api| api.remove(key, options) }
    end

    # Closes the connection; a later call would connect again.
    def close
      @transport&.close
      @transport = @socket = @api = @address = nil
    end

    private

    def connect
      failures = []
      @addresses.size.times do |tried|
        index = (@next + tried) % @addresses.size
        address = @addresses[index]
        host, separator, port = address.rpartition(':')
        if separator.empty? || port !~ /\A\d+\z/
          failures << "#{address.inspect}: not host:port"
          next
        end
        socket = Thrift::Socket.new(host.delete_prefix('[').delete_suffix(']'), Integer(port, 10),
                                    @connect_timeout_s)
        transport = Thrift::FramedTransport.new(socket)
        begin
          transport.open
        rescue Thrift::TransportException => e
          failures << "#{address}: #{e.message}"
          next
        end
        socket.timeout = @request_timeout_s
        @socket, @transport, @address, @next = socket, transport, address, (index + 1) % @addresses.size
        @api = AlderApi::Alder::Client.new(Thrift::BinaryProtocol.new(transport))
        return
      end
      raise NoNodeReachable, "alder: no node reachable (tried #{failures.join('; ')})"
    end

    # Runs one request, connecting first if an earlier transport error closed
    # the connection, and closing it if this request fails in transport.
    def call
      connect unless @api
      yield @api
    rescue *API_ERRORS
      raise
    rescue Thrift::TransportException => e
      failed = @address
      close
      raise RequestTimeout, "alder: #{failed} did not answer within #{@request_timeout_s} s" \
        if e.type == Thrift::TransportException::TIMED_OUT

      raise ConnectionFailed, "alder: connection to #{failed} failed: #{e.message}"
    rescue Thrift::Exception, IOError, SystemCallError => e
      failed = @address
      close
      raise ConnectionFailed, "alder: connection to #{failed} failed: #{e.class}: #{e.message}"
    end
  end

  # Returns key as a UTF-8 String, which is what Thrift sends for a string
  # field. An ASCII-8BIT key is taken as UTF-8 bytes (Thrift would otherwise
  # fail to transcode it halfway through writing a request); keys in other
  # encodings are transcoded. Raises ArgumentError for bytes that are not
  # UTF-8, before anything is sent.
  def self.utf8_key(key)
    utf8 = key.encoding == Encoding::BINARY ? key.dup.force_encoding(Encoding::UTF_8) : key.encode(Encoding::UTF_8)
    raise ArgumentError, "alder: key is not valid UTF-8: #{key.inspect}" unless utf8.valid_encoding?

    utf8
  end
end
