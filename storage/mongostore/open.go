package mongostore

import (
	"context"
	"errors"
	"fmt"
	"strings"

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
// down fails fast and requests go to the network.
//
// Open fails, naming the server's address, when the server does not answer
// within opts.OpenTimeout. Closing both storages of the Backend
// (Backend.Close) disconnects the client.
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
	return connect(ctx, clientOpts, opts.resolved(""), hostsOf(clientOpts))
}

// New returns a Backend kept in the database cache_name (opts.CacheName) of
// the server client is connected to. It creates the TTL indexes (see the
// package doc), so it fails when the server cannot be reached within
// opts.OpenTimeout. The caller keeps ownership of client: closing the Backend
// never disconnects it.
func New(ctx context.Context, client *mongo.Client, opts *Options) (*storage.Backend, error) {
	if client == nil {
		return nil, errors.New("mongostore: New needs a *mongo.Client")
	}
	o := opts.resolved("")
	return newBackend(ctx, &conn{client: client}, o, "")
}

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
		return nil, fmt.Errorf("mongostore: connect to %s: ping: %w", hosts, contextCause(ctx, err))
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
		return nil, fmt.Errorf("mongostore: open %s: %w", o.CacheName, err)
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
			return nil, fmt.Errorf("mongostore: open %s%s: create TTL index: %w", s.ns, where, contextCause(ctx, err))
		}
		if !warned {
			warned = true
			o.Logger.Warn("mongostore: the server cannot create a TTL index on expires; "+
				"expired documents stay on the server until DeleteExpired removes them (reads hide them)",
				"database", o.CacheName, "collection", s.coll.Name(), "error", err)
		}
	}
	c.refs.Store(2)
	return &storage.Backend{Responses: responses, Redirects: redirects}, nil
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
