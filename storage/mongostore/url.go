package mongostore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/clientcache/clientcache/storage"
)

func init() {
	opener := func(ctx context.Context, u *url.URL) (*storage.Backend, error) {
		v := *u
		v.Scheme = strings.ToLower(v.Scheme)
		return openURI(ctx, v.String(), nil)
	}
	storage.Register("mongodb", opener, storage.URLForm{Form: "mongodb://host:port/NAME", Means: "MongoDB: the database NAME"})
	storage.Register("mongodb+srv", opener, storage.URLForm{Form: "mongodb+srv://host/NAME", Means: "MongoDB through DNS SRV records: the database NAME"})
}

// openURI, behind storage.Open, connects to the MongoDB server the
// connection string uri names (mongodb:// or mongodb+srv://), pings it, and
// returns a Backend kept in the database cache_name: opts.CacheName, else the
// database in uri's path, else "http_cache". The path only names the cache: the driver sees uri without
// it, so credentials are checked against the admin database unless uri sets
// authSource. The query holds the driver's options; serverSelectionTimeoutMS
// defaults to 5000 rather than the driver's 30000, so that a cache whose
// server is down fails fast and requests go to the network.
//
// Open fails, naming the server's address, when the server does not answer
// within opts.OpenTimeout. Closing both storages of the Backend (Backend.Close)
// disconnects the client. Its errors never show uri's password.
//
// As [Open], it returns with an error that wraps [storage.ErrUnavailable] a
// Lazy Backend that connects once the server answers; for a mongodb+srv://
// URL, a failed DNS lookup of its SRV records is such an error too, and the
// Lazy Backend looks them up again. URL mistakes wrap [storage.ErrInvalidURL].
func openURI(ctx context.Context, uri string, opts *Options) (*storage.Backend, error) {
	connString, database, hosts, err := splitURI(uri)
	if err != nil {
		return nil, storage.RedactError(storage.InvalidURL(err), uri)
	}
	o := opts.resolved(database)
	if err := checkCacheName(o.CacheName); err != nil {
		return nil, storage.InvalidURL(err)
	}
	return openOrLazy(ctx, o.timeout(), func(ctx context.Context) (*storage.Backend, error) {
		b, err := connectURI(ctx, connString, hosts, o)
		// The messages name the hosts, never uri; this is for what the
		// driver may quote of it.
		return b, storage.RedactError(err, uri)
	})
}

// connectURI parses connString as the driver does (looking up the SRV
// records of a mongodb+srv:// one) and connects.
func connectURI(ctx context.Context, connString, hosts string, o Options) (*storage.Backend, error) {
	co := options.Client().ApplyURI(connString)
	if err := co.Validate(); err != nil {
		err = fmt.Errorf("mongostore: connection string for %s: %w", hosts, err)
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) {
			return nil, storage.Unavailable(err)
		}
		return nil, storage.InvalidURL(err)
	}
	return connect(ctx, co, o, hosts)
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
