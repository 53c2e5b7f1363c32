// Tests of the Go client (generated alder_api and the alderclient helper in
// thrift/examples/go) against a real three-node cluster whose node 3 is down,
// started by alder_with_cluster --down 3 (see test/clients/with_cluster.cc).
package clients_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"alder_api"
	"alderclient"

	"github.com/apache/thrift/lib/go/thrift"
)

func TestFailoverSkipsUnreachableAddresses(t *testing.T) {
	addresses := []string{env(t, "ALDER_UNUSED_ADDRESS"), env(t, "ALDER_DOWN_NODE"), node(t, 1)}
	client := dial(t, alderclient.Options{}, addresses...)
	if got := client.Address(); got != node(t, 1) {
		t.Fatalf("connected to %s, want node 1 at %s", got, node(t, 1))
	}
	key := uniqueKey(t)
	version, err := client.Put(context.Background(), key, []byte("after failover"), nil)
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	entry, err := client.Get(context.Background(), key, nil)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if string(entry.GetValue()) != "after failover" || entry.GetVersion() != version {
		t.Fatalf("Get = %q version %d, want %q version %d", entry.GetValue(), entry.GetVersion(), "after failover", version)
	}
}

func TestBinaryValueUnderUnicodeKeyRoundTripsAcrossNodes(t *testing.T) {
	value := make([]byte, 256)
	for i := range value {
		value[i] = byte(i) // every byte, NUL included
	}
	key := "ключ/ü/🔑/" + uniqueKey(t)
	version, err := dial(t, alderclient.Options{}, node(t, 1)).Put(context.Background(), key, value, nil)
	if err != nil {
		t.Fatalf("Put through node 1: %v", err)
	}
	quorum := &alder_api.ReadOptions{Consistency: alder_api.ConsistencyPtr(alder_api.Consistency_QUORUM)}
	entry, err := dial(t, alderclient.Options{}, node(t, 2)).Get(context.Background(), key, quorum)
	if err != nil {
		t.Fatalf("Get through node 2: %v", err)
	}
	if !bytes.Equal(entry.GetValue(), value) {
		t.Fatalf("value read through node 2 = %x, want %x", entry.GetValue(), value)
	}
	if entry.GetVersion() != version {
		t.Fatalf("version read through node 2 = %d, want %d (what put returned)", entry.GetVersion(), version)
	}
	if entry.IsSetExpiresAtMs() {
		t.Fatalf("expires_at_ms = %d for a value put without a TTL", entry.GetExpiresAtMs())
	}
}

func TestTTLSetsExpiryOneMinuteAhead(t *testing.T) {
	client := dial(t, alderclient.Options{}, node(t, 1))
	key := uniqueKey(t)
	const ttlMs, slackMs = 60000, 3000
	before := nowMs()
	if _, err := client.Put(context.Background(), key, []byte("v"), &alder_api.WriteOptions{TTLMs: thrift.Int64Ptr(ttlMs)}); err != nil {
		t.Fatalf("Put: %v", err)
	}
	after := nowMs()
	entry, err := client.Get(context.Background(), key, nil)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if !entry.IsSetExpiresAtMs() {
		t.Fatal("expires_at_ms is unset for a value put with ttl_ms 60000")
	}
	if got := entry.GetExpiresAtMs(); got < before+ttlMs-slackMs || got > after+ttlMs+slackMs {
		t.Fatalf("expires_at_ms = %d, want within %d ms of [%d, %d]", got, slackMs, before+ttlMs, after+ttlMs)
	}
}

func TestShortTTLExpires(t *testing.T) {
	client := dial(t, alderclient.Options{}, node(t, 1))
	key := uniqueKey(t)
	start := time.Now()
	if _, err := client.Put(context.Background(), key, []byte("brief"), &alder_api.WriteOptions{TTLMs: thrift.Int64Ptr(1000)}); err != nil {
		t.Fatalf("Put: %v", err)
	}
	var notFound *alder_api.NotFound
	_, err := client.Get(context.Background(), key, nil)
	if errors.As(err, &notFound) && time.Since(start) < 900*time.Millisecond {
		t.Fatalf("NotFound %v after put, before its 1 s TTL ran out", time.Since(start))
	}
	for deadline := time.Now().Add(10 * time.Second); !errors.As(err, &notFound); {
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("key with ttl_ms 1000 still readable %v after put", time.Since(start))
		}
		time.Sleep(100 * time.Millisecond)
		_, err = client.Get(context.Background(), key, nil)
	}
}

func TestGetAfterRemoveIsNotFound(t *testing.T) {
	client := dial(t, alderclient.Options{}, node(t, 1))
	key := uniqueKey(t)
	putVersion, err := client.Put(context.Background(), key, []byte("doomed"), nil)
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	removeVersion, err := client.Remove(context.Background(), key, nil)
	if err != nil {
		t.Fatalf("Remove: %v", err)
	}
	if removeVersion <= putVersion {
		t.Fatalf("Remove version %d is not after Put version %d", removeVersion, putVersion)
	}
	_, err = client.Get(context.Background(), key, nil)
	var notFound *alder_api.NotFound
	if !errors.As(err, &notFound) {
		t.Fatalf("Get after Remove: %v, want NotFound", err)
	}
	if notFound.GetKey() != key {
		t.Fatalf("NotFound.key = %q, want %q", notFound.GetKey(), key)
	}
}

func TestRemoveAbsentKeySucceeds(t *testing.T) {
	client := dial(t, alderclient.Options{}, node(t, 1))
	if _, err := client.Remove(context.Background(), uniqueKey(t), nil); err != nil {
		t.Fatalf("Remove of a key never written: %v", err)
	}
}

func TestInvalidArgumentsAreRejectedAndConnectionStaysUsable(t *testing.T) {
	client := dial(t, alderclient.Options{}, node(t, 1))
	cases := []struct {
		name    string
		key     string
		options *alder_api.WriteOptions
	}{
		{"EmptyKey", "", nil},
		{"KeyOf2049Bytes", strings.Repeat("k", 2049), nil},
		{"ZeroTTL", uniqueKey(t), &alder_api.WriteOptions{TTLMs: thrift.Int64Ptr(0)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := client.Put(context.Background(), c.key, []byte("v"), c.options)
			var invalid *alder_api.InvalidArgument
			if !errors.As(err, &invalid) {
				t.Fatalf("Put: %v, want InvalidArgument", err)
			}
			if invalid.GetMessage() == "" {
				t.Fatal("InvalidArgument has an empty message")
			}
			// Address is cleared when the helper drops a connection.
			if client.Address() != node(t, 1) {
				t.Fatalf("connection closed after InvalidArgument (address %q)", client.Address())
			}
			if _, err := client.Put(context.Background(), uniqueKey(t), []byte("v"), nil); err != nil {
				t.Fatalf("Put after InvalidArgument: %v", err)
			}
		})
	}
}

func TestAllIsUnavailableWithANodeDownWhileQuorumSucceeds(t *testing.T) {
	client := dial(t, alderclient.Options{}, node(t, 1))
	key := uniqueKey(t)
	atAll := &alder_api.WriteOptions{Consistency: alder_api.ConsistencyPtr(alder_api.Consistency_ALL)}
	_, err := client.Put(context.Background(), key, []byte("v"), atAll)
	var unavailable *alder_api.Unavailable
	if !errors.As(err, &unavailable) {
		t.Fatalf("Put at ALL: %v, want Unavailable", err)
	}
	if unavailable.GetRequiredReplicas() != 3 || unavailable.GetAliveReplicas() != 2 {
		t.Fatalf("Unavailable(required %d, alive %d), want (3, 2)", unavailable.GetRequiredReplicas(), unavailable.GetAliveReplicas())
	}
	atQuorum := &alder_api.WriteOptions{Consistency: alder_api.ConsistencyPtr(alder_api.Consistency_QUORUM)}
	if _, err := client.Put(context.Background(), key, []byte("v"), atQuorum); err != nil {
		t.Fatalf("Put at QUORUM: %v", err)
	}
}

func TestNoNodeReachableFailsQuicklyWithAClearError(t *testing.T) {
	unused := env(t, "ALDER_UNUSED_ADDRESS")
	start := time.Now()
	client, err := alderclient.Dial([]string{unused}, alderclient.Options{ConnectTimeout: time.Second})
	elapsed := time.Since(start)
	if err == nil {
		client.Close()
		t.Fatalf("Dial(%s) connected, want ErrNoNodeReachable", unused)
	}
	if !errors.Is(err, alderclient.ErrNoNodeReachable) || !strings.Contains(err.Error(), unused) {
		t.Fatalf("Dial: %v, want ErrNoNodeReachable naming %s", err, unused)
	}
	if elapsed > 2*time.Second {
		t.Fatalf("Dial took %v to fail, want under 2 s", elapsed)
	}
}

func TestRequestTimesOutOnANodeThatNeverAnswers(t *testing.T) {
	const requestTimeout = 500 * time.Millisecond
	client := dial(t, alderclient.Options{RequestTimeout: requestTimeout}, silentListener(t))
	start := time.Now()
	_, err := client.Get(context.Background(), uniqueKey(t), nil)
	elapsed := time.Since(start)
	if !errors.Is(err, alderclient.ErrRequestTimeout) {
		t.Fatalf("Get from a silent node: %v, want ErrRequestTimeout", err)
	}
	if elapsed < requestTimeout-50*time.Millisecond || elapsed > 5*time.Second {
		t.Fatalf("Get failed after %v, want about %v (and under 5 s)", elapsed, requestTimeout)
	}
	if client.Address() != "" {
		t.Fatalf("connection to %s kept after a timeout; a late reply would answer the next call", client.Address())
	}
}

func TestNextCallAfterATimeoutFailsOverToTheNextNode(t *testing.T) {
	silent := silentListener(t)
	client := dial(t, alderclient.Options{RequestTimeout: 500 * time.Millisecond}, silent, node(t, 1))
	if client.Address() != silent {
		t.Fatalf("connected to %s, want the silent listener %s first", client.Address(), silent)
	}
	if _, err := client.Get(context.Background(), uniqueKey(t), nil); !errors.Is(err, alderclient.ErrRequestTimeout) {
		t.Fatalf("Get from the silent listener: %v, want ErrRequestTimeout", err)
	}
	if _, err := client.Put(context.Background(), uniqueKey(t), []byte("v"), nil); err != nil {
		t.Fatalf("Put after the timeout: %v", err)
	}
	if client.Address() != node(t, 1) {
		t.Fatalf("Put after the timeout went to %s, want node 1 at %s", client.Address(), node(t, 1))
	}
}

func TestContextDeadlineShortensTheRequestTimeout(t *testing.T) {
	client := dial(t, alderclient.Options{RequestTimeout: 5 * time.Second}, silentListener(t))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := client.Get(ctx, uniqueKey(t), nil)
	elapsed := time.Since(start)
	if !errors.Is(err, alderclient.ErrRequestTimeout) {
		t.Fatalf("Get with a 300 ms context from a silent node: %v, want ErrRequestTimeout", err)
	}
	if elapsed > 2*time.Second {
		t.Fatalf("Get failed after %v, want about 300 ms (the context's deadline, not the 5 s request timeout)", elapsed)
	}
}
