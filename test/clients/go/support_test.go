// Helpers for the client tests: the cluster alder_with_cluster started, and
// a listener that never answers.
package clients_test

import (
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"alderclient"
)

// env returns the environment variable alder_with_cluster sets, failing the
// test when it is missing (the test was not run under a cluster).
func env(t *testing.T, name string) string {
	t.Helper()
	value := os.Getenv(name)
	if value == "" {
		t.Fatalf("%s is not set: run this under alder_with_cluster --down 3", name)
	}
	return value
}

// node returns the address of node id (1-based) from ALDER_NODES.
func node(t *testing.T, id int) string {
	t.Helper()
	nodes := strings.Split(env(t, "ALDER_NODES"), ",")
	if len(nodes) < id {
		t.Fatalf("ALDER_NODES has %d addresses, want at least %d", len(nodes), id)
	}
	return nodes[id-1]
}

func dial(t *testing.T, options alderclient.Options, addresses ...string) *alderclient.Client {
	t.Helper()
	client, err := alderclient.Dial(addresses, options)
	if err != nil {
		t.Fatalf("Dial(%v): %v", addresses, err)
	}
	t.Cleanup(func() { client.Close() })
	return client
}

// uniqueKey keeps tests from seeing each other's writes.
func uniqueKey(t *testing.T) string {
	return fmt.Sprintf("go-test/%s/%d", t.Name(), time.Now().UnixNano())
}

func nowMs() int64 { return time.Now().UnixMilli() }

// silentListener accepts connections and never answers, like a hung node.
func silentListener(t *testing.T) string {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	accepted := make(chan net.Conn, 16)
	go func() {
		for {
			conn, err := listener.Accept()
			if err != nil {
				return // closed by the cleanup below
			}
			accepted <- conn
		}
	}()
	t.Cleanup(func() {
		listener.Close()
		for len(accepted) > 0 {
			(<-accepted).Close()
		}
	})
	return listener.Addr().String()
}
