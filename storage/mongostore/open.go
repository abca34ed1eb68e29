package mongostore

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/clientcache/clientcache/storage"
)

func init() {
	opener := func(ctx context.Context, u *url.URL) (*storage.Backend, error) {
		v := *u
		v.Scheme = strings.ToLower(v.Scheme)
		return Open(ctx, v.String(), nil)
	}
	storage.Register("mongodb", opener, storage.URLForm{Form: "mongodb://host:port/NAME", Means: "MongoDB: the database NAME"})
	storage.Register("mongodb+srv", opener, storage.URLForm{Form: "mongodb+srv://host/NAME", Means: "MongoDB through DNS SRV records: the database NAME"})
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

// Open connects to the MongoDB server the connection string uri names
// (mongodb:// or mongodb+srv://), pings it, and returns a Backend kept in the
// database cache_name: opts.CacheName, else the database in uri's path, else
// "http_cache". The path only names the cache: the driver sees uri without
// it, so credentials are checked against the admin database unless uri sets
// authSource. The query holds the driver's options; serverSelectionTimeoutMS
// defaults to 5000 rather than the driver's 30000, so that a cache whose
// server is down fails fast and requests go to the network.
//
// Open fails, naming the server's address, when the server does not answer
// within opts.OpenTimeout. Closing both storages of the Backend (Backend.Close)
// disconnects the client. Its errors never show uri's password.
func Open(ctx context.Context, uri string, opts *Options) (*storage.Backend, error) {
	b, err := open(ctx, uri, opts)
	// The messages name the hosts, never uri; this is for what the driver
	// may quote of it.
	return b, storage.RedactError(err, uri)
}

func open(ctx context.Context, uri string, opts *Options) (*storage.Backend, error) {
	connString, database, hosts, err := splitURI(uri)
	if err != nil {
		return nil, storage.InvalidURL(err)
	}
	co := options.Client().ApplyURI(connString)
	if err := co.Validate(); err != nil {
		return nil, storage.InvalidURL(fmt.Errorf("mongostore: connection string for %s: %w", hosts, err))
	}
	o := opts.resolved(database)
	if err := checkCacheName(o.CacheName); err != nil {
		return nil, storage.InvalidURL(err)
	}
	return connect(ctx, co, o, hosts)
}

// Connect is Open for client options built in code. The options are not
// modified; serverSelectionTimeout defaults to 5 seconds when they leave it
// unset. cache_name is opts.CacheName, default "http_cache".
func Connect(ctx context.Context, clientOpts *options.ClientOptions, opts *Options) (*storage.Backend, error) {
	if clientOpts == nil {
		clientOpts = options.Client()
	}
	if err := clientOpts.Validate(); err != nil {
		return nil, fmt.Errorf("mongostore: client options for %s: %w", hostsOf(clientOpts), err)
	}
	return connect(ctx, clientOpts, opts.resolved(""), hostsOf(clientOpts))
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
	for _, s := range []*Store{responses, redirects} {
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

// conn is the client the two storages of one Backend share.
type conn struct {
	client *mongo.Client
	own    bool         // the store opened client and disconnects it
	refs   atomic.Int32 // storages not yet closed
}

// release is called once by each storage's Close; the last one disconnects
// a client the store opened itself.
func (c *conn) release() error {
	if !c.own || c.refs.Add(-1) != 0 {
		return nil
	}
	return c.disconnect()
}

func (c *conn) disconnect() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return c.client.Disconnect(ctx)
}

// splitURI splits a MongoDB connection string into the string the driver
// sees (without the path), the database named in the path, and the hosts, for
// error messages (never the credentials).
func splitURI(uri string) (connString, database, hosts string, err error) {
	scheme, rest, ok := strings.Cut(uri, "://")
	scheme = strings.ToLower(scheme)
	if !ok || (scheme != "mongodb" && scheme != "mongodb+srv") {
		return "", "", "", errors.New("mongostore: a connection string starts with mongodb:// or mongodb+srv:// (mongodb://host:port/cache_name)")
	}
	authority, tail := rest, ""
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		authority, tail = rest[:i], rest[i:]
	}
	if !strings.Contains(authority, "@") && strings.Contains(rest, "@") && storage.RedactURL(uri) != uri {
		// An unescaped '/' or '?' in the password ended the authority
		// early: the "hosts" would be the start of the password.
		return "", "", "", fmt.Errorf("mongostore: connection string %s: the user information does not parse; percent-encode the special characters of the password (such as /, ?, @ and :)", storage.RedactURL(uri))
	}
	hosts = authority
	if i := strings.LastIndexByte(authority, '@'); i >= 0 {
		hosts = authority[i+1:]
	}
	if hosts == "" {
		return "", "", "", errors.New("mongostore: the connection string names no host (mongodb://host:port/cache_name)")
	}
	path, query, _ := strings.Cut(tail, "?")
	database, err = url.PathUnescape(strings.TrimPrefix(path, "/"))
	if err != nil {
		return "", "", "", fmt.Errorf("mongostore: connection string for %s: database in the path: %w", hosts, err)
	}
	connString = scheme + "://" + authority + "/"
	if query != "" {
		connString += "?" + query
	}
	return connString, database, hosts, nil
}

func hostsOf(co *options.ClientOptions) string {
	if len(co.Hosts) == 0 {
		return "localhost:27017"
	}
	return strings.Join(co.Hosts, ",")
}
