# frozen_string_literal: true

# Tests of the Ruby client (generated AlderApi and the AlderClient helper in
# thrift/examples/ruby) against a real three-node cluster whose node 3 is
# down, started by alder_with_cluster --down 3 (test/clients/with_cluster.cc).
#
#   ruby -I $ALDER_GEN_DIR/rb -I $ALDER_EXAMPLES_DIR/ruby client_test.rb

require 'minitest/autorun'
require 'socket'
require 'alder_client'

class ClientTest < Minitest::Test
  # alder_with_cluster's variable name, failing the test when it is missing.
  def env(name)
    value = ENV.fetch(name, '')
    flunk "#{name} is not set: run this under alder_with_cluster --down 3" if value.empty?
    value
  end

  # The address of node id (1-based) from ALDER_NODES.
  def node(id)
    env('ALDER_NODES').split(',').fetch(id - 1)
  end

  def connect(*addresses, **timeouts)
    client = AlderClient::Client.new(addresses, **timeouts)
    (@clients ||= []) << client
    client
  end

  def teardown
    (@clients || []).each(&:close)
    (@listeners || []).each(&:close)
    (@acceptors || []).each(&:join)
  end

  # Keeps tests from seeing each other's writes.
  def unique_key
    "ruby-test/#{name}/#{Process.clock_gettime(Process::CLOCK_REALTIME, :nanosecond)}"
  end

  def now_ms
    Process.clock_gettime(Process::CLOCK_REALTIME, :millisecond)
  end

  def monotonic_s
    Process.clock_gettime(Process::CLOCK_MONOTONIC)
  end

  def test_failover_skips_unreachable_addresses
    client = connect(env('ALDER_UNUSED_ADDRESS'), env('ALDER_DOWN_NODE'), node(1))
    assert_equal node(1), client.address
    key = unique_key
    version = client.put(key, 'after failover')
    entry = client.get(key)
    assert_equal 'after failover'.b, entry.value
    assert_equal version, entry.version
  end

  def test_binary_value_under_unicode_key_round_trips_across_nodes
    value = (0..255).to_a.pack('C*') # every byte, NUL included; ASCII-8BIT
    key = "ключ/ü/🔑/#{unique_key}"
    version = connect(node(1)).put(key, value)
    entry = connect(node(2)).get(key, consistency: AlderApi::Consistency::QUORUM)
    assert_equal Encoding::BINARY, entry.value.encoding
    assert_equal value, entry.value
    assert_equal version, entry.version
    assert_nil entry.expires_at_ms, 'a value put without a TTL has no expiry'
  end

  def test_put_does_not_change_the_callers_value_or_key
    value = +'héllo'
    key = +"ключ/#{unique_key}"
    client = connect(node(1))
    client.put(key, value)
    assert_equal Encoding::UTF_8, value.encoding
    assert_equal Encoding::UTF_8, key.encoding
    # Compare bytes: values come back as ASCII-8BIT.
    assert_equal value.b, client.get(key).value
  end

  def test_ttl_sets_expiry_one_minute_ahead
    client = connect(node(1))
    key = unique_key
    slack_ms = 3000
    before = now_ms
    client.put(key, 'v', ttl_ms: 60_000)
    after = now_ms
    expires_at_ms = client.get(key).expires_at_ms
    refute_nil expires_at_ms, 'expires_at_ms is unset for a value put with ttl_ms 60000'
    assert_operator expires_at_ms, :>=, before + 60_000 - slack_ms
    assert_operator expires_at_ms, :<=, after + 60_000 + slack_ms
  end

  def test_short_ttl_expires
    client = connect(node(1))
    key = unique_key
    start = monotonic_s
    client.put(key, 'brief', ttl_ms: 1000)
    begin
      client.get(key)
    rescue AlderApi::NotFound
      flunk 'NotFound before the 1 s TTL ran out' if monotonic_s - start < 0.9
    end
    deadline = start + 10
    loop do
      client.get(key)
      flunk "key with ttl_ms 1000 still readable #{monotonic_s - start} s after put" if monotonic_s > deadline
      sleep 0.1
    rescue AlderApi::NotFound
      break
    end
  end

  def test_get_after_remove_raises_not_found_with_the_key
    client = connect(node(1))
    key = "ключ/#{unique_key}"
    put_version = client.put(key, 'doomed')
    remove_version = client.remove(key)
    assert_operator remove_version, :>, put_version
    error = assert_raises(AlderApi::NotFound) { client.get(key) }
    assert_equal key, error.key
  end

  def test_remove_of_an_absent_key_succeeds
    assert_kind_of Integer, connect(node(1)).remove(unique_key)
  end

  def test_invalid_arguments_are_rejected_and_the_connection_stays_usable
    client = connect(node(1))
    { 'empty key' => ['', {}],
      'key of 2049 bytes' => ['k' * 2049, {}],
      'ttl_ms 0' => [unique_key, { ttl_ms: 0 }] }.each do |what, (key, options)|
      error = assert_raises(AlderApi::InvalidArgument, what) { client.put(key, 'v', **options) }
      refute_empty error.message.to_s, "#{what}: InvalidArgument has no message"
      # The helper clears address when it drops a connection.
      assert_equal node(1), client.address, "#{what}: connection closed"
      client.put(unique_key, 'v')
    end
  end

  def test_a_key_that_is_not_utf8_is_refused_before_sending
    client = connect(node(1))
    assert_raises(ArgumentError) { client.put("\xff\xfe".b, 'v') }
    assert_equal node(1), client.address
    client.put(unique_key, 'v')
  end

  def test_all_is_unavailable_with_a_node_down_while_quorum_succeeds
    client = connect(node(1))
    key = unique_key
    error = assert_raises(AlderApi::Unavailable) { client.put(key, 'v', consistency: AlderApi::Consistency::ALL) }
    assert_equal 3, error.required_replicas
    assert_equal 2, error.alive_replicas
    assert_kind_of Integer, client.put(key, 'v', consistency: AlderApi::Consistency::QUORUM)
  end

  def test_no_node_reachable_fails_quickly_with_a_clear_error
    unused = env('ALDER_UNUSED_ADDRESS')
    start = monotonic_s
    error = assert_raises(AlderClient::NoNodeReachable) { connect(unused, connect_timeout_s: 1.0) }
    assert_operator monotonic_s - start, :<, 2.0
    assert_includes error.message, unused
  end

  # A listener that accepts connections and never answers, like a hung node.
  def silent_listener
    server = TCPServer.new('127.0.0.1', 0)
    held = []
    acceptor = Thread.new do
      loop { held << server.accept }
    rescue IOError
      held.each(&:close) # the server was closed by teardown
    end
    (@listeners ||= []) << server
    (@acceptors ||= []) << acceptor
    "127.0.0.1:#{server.addr[1]}"
  end

  def test_request_times_out_on_a_node_that_never_answers
    client = connect(silent_listener, request_timeout_s: 0.5)
    start = monotonic_s
    assert_raises(AlderClient::RequestTimeout) { client.get(unique_key) }
    elapsed = monotonic_s - start
    assert_operator elapsed, :>=, 0.45
    assert_operator elapsed, :<, 5.0
    assert_nil client.address, 'connection kept after a timeout; a late reply would answer the next call'
  end

  def test_next_call_after_a_timeout_fails_over_to_the_next_node
    silent = silent_listener
    client = connect(silent, node(1), request_timeout_s: 0.5)
    assert_equal silent, client.address
    assert_raises(AlderClient::RequestTimeout) { client.get(unique_key) }
    client.put(unique_key, 'v')
    assert_equal node(1), client.address
  end
end
