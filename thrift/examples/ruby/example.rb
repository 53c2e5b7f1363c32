# frozen_string_literal: true

# Walks through Alder's API with the AlderClient helper: put with a TTL, get,
# remove, get again (NotFound), and the errors a client should expect
# (InvalidArgument, Unavailable, TimedOut).
#
#   ruby -I gen/rb example.rb [host:port ...]
#
# Addresses come from the arguments, else from ALDER_NODES (comma-separated),
# else 127.0.0.1:7700. Exits 0 on success, 1 with a one-line message on
# failure.

require_relative 'alder_client'

KEY = 'example/greeting'

def addresses
  return ARGV unless ARGV.empty?

  nodes = ENV.fetch('ALDER_NODES', '')
  nodes.empty? ? ['127.0.0.1:7700'] : nodes.split(',')
end

def expiry(entry)
  return '(no expiry)' if entry.expires_at_ms.nil?

  in_s = (entry.expires_at_ms / 1000.0 - Time.now.to_f).round
  "expires_at_ms #{entry.expires_at_ms} (in #{in_s} s)"
end

def run(client)
  puts "connected to #{client.address}"

  version = client.put(KEY, 'hello from Ruby', ttl_ms: 60_000)
  puts "put #{KEY} with ttl 60000 ms: version #{version}"

  entry = client.get(KEY)
  # The value comes back as ASCII-8BIT; this one is known to be UTF-8 text.
  value = entry.value.dup.force_encoding(Encoding::UTF_8)
  puts "get #{KEY}: value #{value.inspect} version #{entry.version} #{expiry(entry)}"

  puts "remove #{KEY}: version #{client.remove(KEY)}"

  begin
    client.get(KEY)
    raise AlderClient::Error, "get after remove: #{KEY} is still there"
  rescue AlderApi::NotFound => e
    puts "get #{KEY} after remove: NotFound (key #{e.key.inspect})"
  end

  # ttl_ms must be at least 1: the node rejects the request, and the
  # connection stays usable.
  begin
    client.put(KEY, 'x', ttl_ms: 0)
    raise AlderClient::Error, 'put with ttl_ms 0 was accepted'
  rescue AlderApi::InvalidArgument => e
    puts "put with ttl_ms 0: InvalidArgument: #{e.message}"
  end

  # ALL needs every replica: with a node down this is Unavailable, and a slow
  # replica makes it TimedOut. Both are answers, not failures here.
  begin
    version = client.put(KEY, 'written at ALL', consistency: AlderApi::Consistency::ALL)
    puts "put at ALL: version #{version}"
  rescue AlderApi::Unavailable => e
    puts "put at ALL: Unavailable: #{e.required_replicas} replicas required, " \
         "#{e.alive_replicas} alive (#{e.message})"
  rescue AlderApi::TimedOut => e
    puts "put at ALL: TimedOut: #{e.acknowledged} of #{e.required_acks} acknowledgements (#{e.message})"
  end
  client.remove(KEY)
end

begin
  client = AlderClient::Client.new(addresses, connect_timeout_s: 1.0, request_timeout_s: 5.0)
  begin
    run(client)
  ensure
    client.close
  end
rescue AlderClient::Error, Thrift::Exception, ArgumentError => e
  warn "example.rb: #{e.class.name.split('::').last}: #{e.message.lines.first&.chomp}"
  exit 1
end
