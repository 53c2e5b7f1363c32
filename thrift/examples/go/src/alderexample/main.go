// Command alderexample walks through Alder's API with the alderclient
// helper: put with a TTL, get, remove, get again (NotFound), and the errors a
// client should expect (InvalidArgument, Unavailable, TimedOut).
//
//	alderexample [host:port ...]
//
// Addresses come from the arguments, else from ALDER_NODES (comma-separated),
// else 127.0.0.1:7700. Exits 0 on success, 1 with a one-line message on
// failure.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"alder_api"
	"alderclient"

	"github.com/apache/thrift/lib/go/thrift"
)

const key = "example/greeting"

func main() {
	if err := run(addresses()); err != nil {
		fmt.Fprintf(os.Stderr, "alderexample: %v\n", err)
		os.Exit(1)
	}
}

func addresses() []string {
	if len(os.Args) > 1 {
		return os.Args[1:]
	}
	if nodes := os.Getenv("ALDER_NODES"); nodes != "" {
		return strings.Split(nodes, ",")
	}
	return []string{"127.0.0.1:7700"}
}

func run(addresses []string) error {
	client, err := alderclient.Dial(addresses, alderclient.Options{
		ConnectTimeout: time.Second,
		RequestTimeout: 5 * time.Second,
	})
	if err != nil {
		return err
	}
	defer client.Close()
	fmt.Printf("connected to %s\n", client.Address())
	ctx := context.Background()

	ttlMs := int64(60000)
	version, err := client.Put(ctx, key, []byte("hello from Go"), &alder_api.WriteOptions{TTLMs: &ttlMs})
	if err != nil {
		return fmt.Errorf("put: %w", err)
	}
	fmt.Printf("put %s with ttl %d ms: version %d\n", key, ttlMs, version)

	entry, err := client.Get(ctx, key, nil)
	if err != nil {
		return fmt.Errorf("get: %w", err)
	}
	fmt.Printf("get %s: value %q version %d %s\n", key, entry.GetValue(), entry.GetVersion(), expiry(entry))

	if version, err = client.Remove(ctx, key, nil); err != nil {
		return fmt.Errorf("remove: %w", err)
	}
	fmt.Printf("remove %s: version %d\n", key, version)

	var notFound *alder_api.NotFound
	switch _, err = client.Get(ctx, key, nil); {
	case errors.As(err, &notFound):
		fmt.Printf("get %s after remove: NotFound (key %q)\n", key, notFound.GetKey())
	case err != nil:
		return fmt.Errorf("get after remove: %w", err)
	default:
		return fmt.Errorf("get after remove: %s is still there", key)
	}

	// ttl_ms must be at least 1: the node rejects the request, and the
	// connection stays usable.
	_, err = client.Put(ctx, key, []byte("x"), &alder_api.WriteOptions{TTLMs: thrift.Int64Ptr(0)})
	var invalid *alder_api.InvalidArgument
	if !errors.As(err, &invalid) {
		return fmt.Errorf("put with ttl_ms 0: want InvalidArgument, got %v", err)
	}
	fmt.Printf("put with ttl_ms 0: InvalidArgument: %s\n", invalid.GetMessage())

	// ALL needs every replica: with a node down this is Unavailable, and a
	// slow replica makes it TimedOut. Both are answers, not failures here.
	atAll := &alder_api.WriteOptions{Consistency: alder_api.ConsistencyPtr(alder_api.Consistency_ALL)}
	version, err = client.Put(ctx, key, []byte("written at ALL"), atAll)
	var unavailable *alder_api.Unavailable
	var timedOut *alder_api.TimedOut
	switch {
	case err == nil:
		fmt.Printf("put at ALL: version %d\n", version)
	case errors.As(err, &unavailable):
		fmt.Printf("put at ALL: Unavailable: %d replicas required, %d alive (%s)\n",
			unavailable.GetRequiredReplicas(), unavailable.GetAliveReplicas(), unavailable.GetMessage())
	case errors.As(err, &timedOut):
		fmt.Printf("put at ALL: TimedOut: %d of %d acknowledgements (%s)\n",
			timedOut.GetAcknowledged(), timedOut.GetRequiredAcks(), timedOut.GetMessage())
	default:
		return fmt.Errorf("put at ALL: %w", err)
	}
	if _, err = client.Remove(ctx, key, nil); err != nil {
		return fmt.Errorf("remove: %w", err)
	}
	return nil
}

func expiry(entry *alder_api.Entry) string {
	if !entry.IsSetExpiresAtMs() {
		return "(no expiry)"
	}
	expiresAt := time.UnixMilli(entry.GetExpiresAtMs())
	return fmt.Sprintf("expires_at_ms %d (in %.0f s)", entry.GetExpiresAtMs(), time.Until(expiresAt).Seconds())
}
