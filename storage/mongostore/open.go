package mongostore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/clientcache/clientcache/storage"
)

// Open connects to the MongoDB server clientOpts name (nil meaning the
// driver's defaults, localhost:27017), pings it, and returns a Backend kept in
// the database cache_name, opts.CacheName (default "http_cache"). The options
// are not modified; serverSelectionTimeout defaults to 5 seconds rather than
// the driver's 30 when they leave it unset, so that a cache whose server is
// down fails fast and requests go to the network. The Backend's Timeout is
// opts.Timeout ([DefaultTimeout] by default).
//
// Open fails, naming the server's address, when the server does not answer
// within opts.OpenTimeout. Closing both storages of the Backend
// (Backend.Close) disconnects the client.
//
// When the server cannot be reached (no server is selected in time: the
// connection is refused or times out, the host name does not resolve; or
// the ping or the creation of the indexes gets no answer before the
// deadline, or fails on the network), the error wraps
// [storage.ErrUnavailable] and Open returns it together with a non-nil
// Backend made by [storage.Lazy]. That Backend holds nothing (no client, no
// goroutine) until it is used; used, it connects in the background, as Open
// does, and fails every operation at once with an error wrapping
// ErrUnavailable until the server answers, then uses the store. A caller
// that wants to start while the server is down keeps it (and closes it); a
// caller that treats every error as fatal ignores it, and need not close
// it. Any other error is a mistake to fix, not an outage: invalid client
// options, a bad cache_name, credentials the server rejects
// (AuthenticationFailed), a command the server refuses. It does not wrap
// ErrUnavailable, and the Backend is nil. (A server that is not the one
// meant, such as one whose TLS fails (none where tls=true asks for it, a
// certificate that does not verify) or a replica set of another name, is
// not told apart from one that does not answer: no server is selected.)
//
// A connection string whose path names the database, mongodb://host/NAME,
// opens through [storage.Open].
func Open(ctx context.Context, clientOpts *options.ClientOptions, opts *Options) (*storage.Backend, error) {
	if clientOpts == nil {
		clientOpts = options.Client()
	}
	if err := clientOpts.Validate(); err != nil {
		return nil, fmt.Errorf("mongostore: client options for %s: %w", hostsOf(clientOpts), err)
	}
	o := opts.resolved("")
	if err := checkCacheName(o.CacheName); err != nil {
		return nil, err
	}
	hosts := hostsOf(clientOpts)
	return openOrLazy(ctx, o.timeout(), func(ctx context.Context) (*storage.Backend, error) {
		return connect(ctx, clientOpts, o, hosts)
	})
}

// New returns a Backend kept in the database cache_name (opts.CacheName) of
// the server client is connected to. It creates the TTL indexes (see the
// package doc), so it fails when the server cannot be reached within
// opts.OpenTimeout: then, as [Open], it returns an error wrapping
// [storage.ErrUnavailable] together with a Lazy Backend that creates them
// once the server answers. The caller keeps ownership of client: closing the
// Backend never disconnects it. The Backend's Timeout is opts.Timeout
// ([DefaultTimeout] by default).
func New(ctx context.Context, client *mongo.Client, opts *Options) (*storage.Backend, error) {
	if client == nil {
		return nil, errors.New("mongostore: New needs a *mongo.Client")
	}
	o := opts.resolved("")
	if err := checkCacheName(o.CacheName); err != nil {
		return nil, err
	}
	return openOrLazy(ctx, o.timeout(), func(ctx context.Context) (*storage.Backend, error) {
		return newBackend(ctx, &conn{client: client}, o, "")
	})
}

// openOrLazy runs open, which never returns a Lazy Backend itself. When
// open fails because the server cannot be reached, openOrLazy returns its
// error with a Lazy Backend that runs open again once it is used.
func openOrLazy(ctx context.Context, timeout time.Duration, open func(ctx context.Context) (*storage.Backend, error)) (*storage.Backend, error) {
	b, err := open(ctx)
	if err != nil && errors.Is(err, storage.ErrUnavailable) {
		return storage.Lazy(timeout, open), err
	}
	return b, err
}

// connect opens a client, pings the server and sets the Backend up; an
// error that means the server could not be reached wraps
// storage.ErrUnavailable.
func connect(ctx context.Context, co *options.ClientOptions, o Options, hosts string) (*storage.Backend, error) {
	if err := checkCacheName(o.CacheName); err != nil {
		return nil, err
	}
	// Later options win where they set a field, so the caller's settings
	// override these defaults.
	defaults := options.Client().SetServerSelectionTimeout(defaultServerSelectionTimeout)
	client, err := mongo.Connect(defaults, co)
	if err != nil {
		return nil, fmt.Errorf("mongostore: connect to %s: %w", hosts, err)
	}
	c := &conn{client: client, own: true}
	pctx, cancel := context.WithTimeout(ctx, o.OpenTimeout)
	err = client.Ping(pctx, nil)
	cancel()
	if err != nil {
		c.disconnect()
		err = fmt.Errorf("mongostore: connect to %s: ping: %w", hosts, contextCause(ctx, err))
		if unreachable(ctx, err) {
			err = storage.Unavailable(err)
		}
		return nil, err
	}
	b, err := newBackend(ctx, c, o, hosts)
	if err != nil {
		c.disconnect()
		return nil, err
	}
	return b, nil
}

func newBackend(ctx context.Context, c *conn, o Options, hosts string) (*storage.Backend, error) {
	if err := checkCacheName(o.CacheName); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		err = fmt.Errorf("mongostore: open %s: %w", o.CacheName, err)
		if unreachable(ctx, err) { // the deadline passed
			err = storage.Unavailable(err)
		}
		return nil, err
	}
	db := c.client.Database(o.CacheName)
	responses := newStore(db.Collection(ResponsesCollection), c)
	redirects := newStore(db.Collection(RedirectsCollection), c)
	ictx, cancel := context.WithTimeout(ctx, o.OpenTimeout)
	defer cancel()
	var warned bool
	for _, s := range []*store{responses, redirects} {
		err := ensureIndex(ictx, s.coll)
		if err == nil {
			continue
		}
		if !serverAnswered(err) {
			where := ""
			if hosts != "" {
				where = " on " + hosts
			}
			err = fmt.Errorf("mongostore: open %s%s: create TTL index: %w", s.ns, where, contextCause(ctx, err))
			if unreachable(ctx, err) {
				err = storage.Unavailable(err)
			}
			return nil, err
		}
		if !warned {
			warned = true
			o.Logger.Warn("mongostore: the server cannot create a TTL index on expires; "+
				"expired documents stay on the server until DeleteExpired removes them (reads hide them)",
				"database", o.CacheName, "collection", s.coll.Name(), "error", err)
		}
	}
	c.refs.Store(2)
	return &storage.Backend{Responses: responses, Redirects: redirects, Timeout: o.timeout()}, nil
}

// ensureIndex creates the TTL index on expires, or, when the server refuses
// that, a plain index that keeps DeleteExpired cheap; it returns the TTL
// index's error.
func ensureIndex(ctx context.Context, coll *mongo.Collection) error {
	keys := bson.D{{Key: fieldExpires, Value: 1}}
	_, err := coll.Indexes().CreateOne(ctx, mongo.IndexModel{
		Keys:    keys,
		Options: options.Index().SetExpireAfterSeconds(0),
	})
	if err != nil && serverAnswered(err) {
		// Best effort: an existing index on expires (a TTL one with other
		// options, say) makes this fail too, which is fine.
		_, _ = coll.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: keys})
	}
	return err
}

// serverAnswered reports whether err is the server's refusal of a command, as
// opposed to a network failure, a timeout or a cancelled context.
func serverAnswered(err error) bool {
	var ce mongo.CommandError
	return errors.As(err, &ce) && ce.Code != 0 && !mongo.IsNetworkError(err) && !mongo.IsTimeout(err)
}

func hostsOf(co *options.ClientOptions) string {
	if len(co.Hosts) == 0 {
		return "localhost:27017"
	}
	return strings.Join(co.Hosts, ",")
}
