// Runs the example program (thrift/examples/go/src/alderexample) against the
// cluster alder_with_cluster --down 3 started, and checks what it prints.
package example_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// buildExample compiles alderexample (found through GOPATH) into a temporary
// directory and returns the path of the program.
func buildExample(t *testing.T) string {
	program := filepath.Join(t.TempDir(), "alderexample")
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if output, err := exec.Command(goTool, "build", "-o", program, "alderexample").CombinedOutput(); err != nil {
		t.Fatalf("go build alderexample: %v\n%s", err, output)
	}
	return program
}

// run runs the example with args and returns its exit code, stdout, stderr.
func run(t *testing.T, program string, args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	command := exec.Command(program, args...)
	command.Stdout, command.Stderr = &stdout, &stderr
	err := command.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, stdout.String(), stderr.String()
	case errors.As(err, &exit):
		return exit.ExitCode(), stdout.String(), stderr.String()
	}
	t.Fatalf("running %s: %v", program, err)
	return 0, "", ""
}

func TestExampleWalksThroughTheAPI(t *testing.T) {
	nodes := os.Getenv("ALDER_NODES")
	if nodes == "" || os.Getenv("ALDER_DOWN_NODE") == "" {
		t.Fatal("ALDER_NODES or ALDER_DOWN_NODE is not set: run this under alder_with_cluster --down 3")
	}
	code, stdout, stderr := run(t, buildExample(t)) // addresses from ALDER_NODES
	if code != 0 {
		t.Fatalf("exit code %d, stderr %q, stdout:\n%s", code, stderr, stdout)
	}
	node1 := regexp.QuoteMeta(strings.Split(nodes, ",")[0])
	want := []string{
		`^connected to ` + node1 + `$`,
		`^put example/greeting with ttl 60000 ms: version (\d+)$`,
		`^get example/greeting: value "hello from Go" version (\d+) expires_at_ms \d+ \(in (59|60) s\)$`,
		`^remove example/greeting: version \d+$`,
		`^get example/greeting after remove: NotFound \(key "example/greeting"\)$`,
		`^put with ttl_ms 0: InvalidArgument: \S.*$`,
		`^put at ALL: Unavailable: 3 replicas required, 2 alive \(.*\)$`,
	}
	lines := strings.Split(strings.TrimRight(stdout, "\n"), "\n")
	if len(lines) != len(want) {
		t.Fatalf("printed %d lines, want %d:\n%s", len(lines), len(want), stdout)
	}
	var versions []string
	for i, pattern := range want {
		match := regexp.MustCompile(pattern).FindStringSubmatch(lines[i])
		if match == nil {
			t.Fatalf("line %d = %q, want a match for %s", i+1, lines[i], pattern)
		}
		if i == 1 || i == 2 {
			versions = append(versions, match[1])
		}
	}
	if versions[0] != versions[1] {
		t.Fatalf("get printed version %s, put printed %s", versions[1], versions[0])
	}
}

func TestExampleFailsWithOneLineWhenNoNodeIsReachable(t *testing.T) {
	unused := os.Getenv("ALDER_UNUSED_ADDRESS")
	if unused == "" {
		t.Fatal("ALDER_UNUSED_ADDRESS is not set: run this under alder_with_cluster")
	}
	code, stdout, stderr := run(t, buildExample(t), unused)
	if code == 0 {
		t.Fatalf("exit code 0 with no node reachable, stdout:\n%s", stdout)
	}
	if strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "no node reachable") || !strings.Contains(stderr, unused) {
		t.Fatalf("stderr %q, want one line saying no node is reachable at %s", stderr, unused)
	}
}
