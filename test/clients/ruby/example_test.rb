# frozen_string_literal: true

# Runs the example program (thrift/examples/ruby/example.rb) against the
# cluster alder_with_cluster --down 3 started, and checks what it prints.
#
#   ruby example_test.rb   (with ALDER_GEN_DIR and ALDER_EXAMPLES_DIR set)

require 'minitest/autorun'
require 'open3'
require 'rbconfig'

class ExampleTest < Minitest::Test
  def env(name)
    value = ENV.fetch(name, '')
    flunk "#{name} is not set: run this under alder_with_cluster --down 3" if value.empty?
    value
  end

  # Runs the example with args; returns stdout, stderr and the exit status.
  def run_example(*args)
    example = File.join(env('ALDER_EXAMPLES_DIR'), 'ruby', 'example.rb')
    generated = File.join(env('ALDER_GEN_DIR'), 'rb')
    Open3.capture3(RbConfig.ruby, '-I', generated, example, *args)
  end

  def test_example_walks_through_the_api
    node1 = env('ALDER_NODES').split(',').first
    env('ALDER_DOWN_NODE')
    stdout, stderr, status = run_example # addresses from ALDER_NODES
    assert status.success?, "exit #{status.exitstatus}, stderr #{stderr.inspect}, stdout:\n#{stdout}"
    expected = [
      /\Aconnected to #{Regexp.escape(node1)}\z/,
      /\Aput example\/greeting with ttl 60000 ms: version (\d+)\z/,
      /\Aget example\/greeting: value "hello from Ruby" version (\d+) expires_at_ms \d+ \(in (59|60) s\)\z/,
      /\Aremove example\/greeting: version \d+\z/,
      /\Aget example\/greeting after remove: NotFound \(key "example\/greeting"\)\z/,
      /\Aput with ttl_ms 0: InvalidArgument: \S.*\z/,
      /\Aput at ALL: Unavailable: 3 replicas required, 2 alive \(.*\)\z/
    ]
    lines = stdout.lines(chomp: true)
    assert_equal expected.size, lines.size, "output:\n#{stdout}"
    matches = expected.zip(lines).map do |pattern, line|
      assert_match pattern, line
      pattern.match(line)
    end
    assert_equal matches[1][1], matches[2][1], 'get printed another version than put'
  end

  def test_example_fails_with_one_line_when_no_node_is_reachable
    unused = env('ALDER_UNUSED_ADDRESS')
    stdout, stderr, status = run_example(unused)
    refute status.success?, "exit 0 with no node reachable, stdout:\n#{stdout}"
    assert_equal 1, stderr.lines.size, "stderr: #{stderr.inspect}"
    assert_includes stderr, 'no node reachable'
    assert_includes stderr, unused
  end
end
