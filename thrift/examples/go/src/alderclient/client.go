// Package alderclient connects to an Alder cluster: it opens a Thrift
// connection (TFramedTransport + TBinaryProtocol, DESIGN.md section 8) to the
// first reachable of several nodes and bounds every call by a request
// timeout.
//
// Any node can coordinate any request, so failing over is only a matter of
// trying the next address. A connection that saw a transport error (a reset,
// a timeout) is closed, because a late reply could otherwise be read as the
// answer to the next call; the next call dials again, starting with the
// address after the one that failed, so a hung node is not tried first
// again. The failed call itself is not retried: whether it was applied is
// unknown, and only the caller can decide whether repeating it is safe.
package alderclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"alder_api"

	"github.com/apache/thrift/lib/go/thrift"
)

// ErrNoNodeReachable is wrapped by the error Dial (or a call that has to
// reconnect) returns when no address accepted a connection; the message
// names every address and why it failed.
var ErrNoNodeReachable = errors.New("alder: no node reachable")

// ErrRequestTimeout is wrapped by the error a call returns when the node did
// not answer within the request timeout (or the context's deadline, if
// sooner). Whether the request was applied is unknown.
var ErrRequestTimeout = errors.New("alder: request timed out")

// Options holds the timeouts; a zero field takes its default.
type Options struct {
	ConnectTimeout time.Duration // per address tried; default 1 s
	RequestTimeout time.Duration // per call, each wait for the node; default 5 s
}

const (
	defaultConnectTimeout = time.Second
	defaultRequestTimeout = 5 * time.Second
)

// Client is a connection to one node of a cluster. It is not safe for
// concurrent use: give each goroutine its own Client.
type Client struct {
	addresses []string
	options   Options

	address string // the node connected to; "" when not connected
	next    int    // index in addresses the next connect starts at
	socket  *thrift.TSocket
	framed  thrift.TTransport
	api     *alder_api.AlderClient
}

// Dial connects to the first of addresses (each "host:port") that accepts a
// connection within options.ConnectTimeout, trying them in order. If none
// does, it returns an error wrapping ErrNoNodeReachable.
func Dial(addresses []string, options Options) (*Client, error) {
	if len(addresses) == 0 {
		return nil, fmt.Errorf("%w: no addresses given", ErrNoNodeReachable)
	}
	if options.ConnectTimeout <= 0 {
		options.ConnectTimeout = defaultConnectTimeout
	}
	if options.RequestTimeout <= 0 {
		options.RequestTimeout = defaultRequestTimeout
	}
	c := &Client{addresses: append([]string(nil), addresses...), options: options}
	if err := c.connect(); err != nil {
		return nil, err
	}
	return c, nil
}

// Address is the host:port of the node connected to, or "" after a
// transport error closed the connection (the next call reconnects).
func (c *Client) Address() string { return c.address }

// Close closes the connection; a later call would dial the addresses again.
func (c *Client) Close() error {
	if c.framed == nil {
		return nil
	}
	err := c.framed.Close()
	c.address, c.socket, c.framed, c.api = "", nil, nil, nil
	return err
}

// Put stores value under key and returns the version written. options may
// be nil (no TTL, consistency QUORUM). Errors: *alder_api.InvalidArgument,
// *alder_api.Unavailable, *alder_api.TimedOut from the cluster; errors
// wrapping ErrRequestTimeout or ErrNoNodeReachable; other transport errors.
func (c *Client) Put(ctx context.Context, key string, value []byte, options *alder_api.WriteOptions) (int64, error) {
	var version int64
	err := c.call(ctx, func(ctx context.Context, api *alder_api.AlderClient) (err error) {
		version, err = api.Put(ctx, key, value, options)
		return err
	})
	return version, err
}

// Get reads key. options may be nil (consistency QUORUM). A missing (or
// expired, or removed) key is *alder_api.NotFound; other errors as for Put.
func (c *Client) Get(ctx context.Context, key string, options *alder_api.ReadOptions) (*alder_api.Entry, error) {
	var entry *alder_api.Entry
	err := c.call(ctx, func(ctx context.Context, api *alder_api.AlderClient) (err error) {
		entry, err = api.Get(ctx, key, options)
		return err
	})
	return entry, err
}

// Remove deletes key and returns the version of the tombstone written.
// Removing an absent key is not an error. Errors as for Put.
func (c *Client) Remove(ctx context.Context, key string, options *alder_api.WriteOptions) (int64, error) {
	var version int64
	err := c.call(ctx, func(ctx context.Context, api *alder_api.AlderClient) (err error) {
		version, err = api.Remove(ctx, key, options)
		return err
	})
	return version, err
}

// connect opens a connection to the first address that accepts one,
// trying them in order from c.next and wrapping around.
func (c *Client) connect() error {
	failures := make([]string, 0, len(c.addresses))
	for tried := 0; tried < len(c.addresses); tried++ {
		index := (c.next + tried) % len(c.addresses)
		address := c.addresses[index]
		if _, _, err := net.SplitHostPort(address); err != nil {
			failures = append(failures, fmt.Sprintf("%q: %v", address, err))
			continue
		}
		config := &thrift.TConfiguration{
			ConnectTimeout: c.options.ConnectTimeout,
			SocketTimeout:  c.options.RequestTimeout,
		}
		socket := thrift.NewTSocketConf(address, config)
		framed := thrift.NewTFramedTransportConf(socket, config)
		if err := framed.Open(); err != nil {
			failures = append(failures, fmt.Sprintf("%s: %v", address, err))
			continue
		}
		protocol := thrift.NewTBinaryProtocolConf(framed, config)
		c.address, c.socket, c.framed, c.next = address, socket, framed, (index+1)%len(c.addresses)
		c.api = alder_api.NewAlderClient(thrift.NewTStandardClient(protocol, protocol))
		return nil
	}
	return fmt.Errorf("%w (tried %s)", ErrNoNodeReachable, strings.Join(failures, "; "))
}

// call runs one request on the connection, reconnecting first if an earlier
// transport error closed it, and closes the connection if this one fails in
// transport.
func (c *Client) call(ctx context.Context, request func(context.Context, *alder_api.AlderClient) error) error {
	if c.api == nil {
		if err := c.connect(); err != nil {
			return err
		}
	}
	timeout := c.options.RequestTimeout
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < timeout {
		timeout = time.Until(deadline)
	}
	if timeout <= 0 {
		return fmt.Errorf("%w: the context's deadline has passed", ErrRequestTimeout)
	}
	// The socket timeout bounds each blocking read and write.
	c.socket.SetSocketTimeout(timeout)
	err := request(withoutDeadline{ctx}, c.api)
	if err == nil || isAnswer(err) {
		return err
	}
	address := c.address
	c.Close()
	if isTimeout(err) {
		return fmt.Errorf("%w: %s did not answer within %v (%v)", ErrRequestTimeout, address, timeout, err)
	}
	return fmt.Errorf("alder: connection to %s failed: %w", address, err)
}

// isAnswer reports whether err is one of the API's exceptions: a complete
// reply, which leaves the connection usable. Anything else (including a
// Thrift application error, which may mean the replies are out of step)
// closes it.
func isAnswer(err error) bool {
	var (
		invalid     *alder_api.InvalidArgument
		notFound    *alder_api.NotFound
		unavailable *alder_api.Unavailable
		timedOut    *alder_api.TimedOut
	)
	return errors.As(err, &invalid) || errors.As(err, &notFound) ||
		errors.As(err, &unavailable) || errors.As(err, &timedOut)
}

// withoutDeadline hides a context's deadline from Thrift. After a socket
// timeout Thrift's binary protocol reads again if the deadline has not yet
// passed; the two expire at about the same moment, so a request could wait
// twice as long. The socket timeout alone bounds each wait.
type withoutDeadline struct{ context.Context }

func (withoutDeadline) Deadline() (time.Time, bool) { return time.Time{}, false }

func isTimeout(err error) bool {
	var timeout interface{ Timeout() bool }
	return errors.As(err, &timeout) && timeout.Timeout()
}
