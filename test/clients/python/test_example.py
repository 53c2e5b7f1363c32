"""The Python example (thrift/examples/python/example.py) against the cluster
of alder_with_cluster --down 3: its output for each step, and its exit code.

Run by CTest as python_example_test (environment as for test_alder.py, plus
ALDER_EXAMPLES_DIR).
"""

import os
import re
import subprocess
import sys
import time
import unittest

EXAMPLE = os.path.join(os.environ["ALDER_EXAMPLES_DIR"], "python", "example.py")
NODES = os.environ["ALDER_NODES"].split(",")
UNUSED = os.environ["ALDER_UNUSED_ADDRESS"]
DOWN = os.environ["ALDER_DOWN_NODE"]


def run_example(*args):
    return subprocess.run([sys.executable, EXAMPLE, *args], capture_output=True, text=True,
                          timeout=60)


class ExampleTest(unittest.TestCase):
    def test_runs_every_step_against_nodes_from_environment(self):
        result = run_example()
        self.assertEqual(result.returncode, 0, result.stderr)
        out = result.stdout
        self.assertIn("connected to %s\n" % NODES[0], out)
        put_version = re.search(r"^put example/greeting: version (\d+), ttl 60 s$", out, re.M)
        self.assertIsNotNone(put_version, out)
        got = re.search(r"^get example/greeting: value b'hello, alder', version (\d+), "
                        r"expires_at_ms (\d+) \(in \d+ s\)$", out, re.M)
        self.assertIsNotNone(got, out)
        self.assertEqual(got.group(1), put_version.group(1))
        self.assertAlmostEqual(int(got.group(2)), time.time() * 1000 + 60000, delta=10000)
        self.assertRegex(out, r"(?m)^remove example/greeting: version \d+$")
        self.assertIn("get example/greeting: NotFound (key 'example/greeting')\n", out)
        self.assertRegex(out, r"(?m)^put with an empty key: InvalidArgument: .+$")
        self.assertRegex(out, r"(?m)^put at ALL: Unavailable: 2 of 3 replicas alive \(.+\)$")

    def test_fails_over_to_a_node_from_arguments(self):
        result = run_example(UNUSED, DOWN, NODES[1])
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("connected to %s\n" % NODES[1], result.stdout)

    def test_no_node_reachable_exits_1_with_one_line(self):
        result = run_example(UNUSED)
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stdout, "")
        self.assertRegex(result.stderr, r"^example: no Alder node available: %s \(.+\)\n$"
                         % re.escape(UNUSED))


if __name__ == "__main__":
    unittest.main()
