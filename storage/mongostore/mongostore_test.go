package mongostore_test

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/mongostore"
	"github.com/clientcache/clientcache/storage/storagetest"
)

// TestConformance runs the storage specification on both storages of a
// Backend made by New around the test's own client.
func TestConformance(t *testing.T) {
	client := testClient(t)
	for _, pick := range []struct {
		name string
		get  func(*storage.Backend) storage.Storage
	}{
		{"Responses", func(b *storage.Backend) storage.Storage { return b.Responses }},
		{"Redirects", func(b *storage.Backend) storage.Storage { return b.Redirects }},
	} {
		t.Run(pick.name, func(t *testing.T) {
			storagetest.Run(t, func(t *testing.T) storage.Storage {
				opts := &mongostore.Options{CacheName: uniqueName(t, client), Logger: quietLogger()}
				b, err := mongostore.New(ctxFor(t, time.Minute), client, opts)
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				t.Cleanup(func() { _ = b.Close() })
				return pick.get(b)
			})
		})
	}
}

// TestConformanceOpen runs the specification on a Backend that Open made
// from client options, with a client of the store's own.
func TestConformanceOpen(t *testing.T) {
	uri := serverURI(t)
	client := testClient(t)
	storagetest.Run(t, func(t *testing.T) storage.Storage {
		b, err := mongostore.Open(ctxFor(t, time.Minute), options.Client().ApplyURI(uri), &mongostore.Options{CacheName: uniqueName(t, client), Logger: quietLogger()})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { _ = b.Close() })
		return b.Responses
	})
}

// TestBackend runs the Backend specification on the Backends of New (the
// caller's client, which Close must leave connected) and of Open (a client
// of the store's own, shared by its two storages). The database is the
// cache_name.
func TestBackend(t *testing.T) {
	uri := serverURI(t)
	client := testClient(t)
	var mu sync.Mutex
	names := map[*storage.Backend]string{}
	named := func(b *storage.Backend, name string) *storage.Backend {
		mu.Lock()
		defer mu.Unlock()
		names[b] = name
		return b
	}
	nameOf := func(b *storage.Backend) string {
		mu.Lock()
		defer mu.Unlock()
		return names[b]
	}
	t.Run("New", func(t *testing.T) {
		open := func(t *testing.T, name string) *storage.Backend {
			t.Helper()
			b, err := mongostore.New(ctxFor(t, time.Minute), client, &mongostore.Options{CacheName: name, Logger: quietLogger()})
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			return named(b, name)
		}
		storagetest.RunBackend(t, func(t *testing.T) *storage.Backend { return open(t, uniqueName(t, client)) }, &storagetest.BackendOptions{
			Reopen:           func(t *testing.T, b *storage.Backend) *storage.Backend { return open(t, nameOf(b)) },
			ClientStillWorks: func(t *testing.T, _ *storage.Backend) error { return client.Ping(ctxFor(t, time.Minute), nil) },
		})
	})
	t.Run("Open", func(t *testing.T) {
		open := func(t *testing.T, name string) *storage.Backend {
			t.Helper()
			b, err := mongostore.Open(ctxFor(t, time.Minute), options.Client().ApplyURI(uri), &mongostore.Options{CacheName: name, Logger: quietLogger()})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			return named(b, name)
		}
		storagetest.RunBackend(t, func(t *testing.T) *storage.Backend { return open(t, uniqueName(t, client)) }, &storagetest.BackendOptions{
			Reopen: func(t *testing.T, b *storage.Backend) *storage.Backend { return open(t, nameOf(b)) },
		})
	})
}

// TestLayout checks what the store leaves on the server: cache_name is the
// database, the collections are responses and redirects, documents are
// {_id, value: BinData, expires: Date}.
func TestLayout(t *testing.T) {
	uri := serverURI(t)
	client := testClient(t)
	ctx := ctxFor(t, time.Minute)
	name := uniqueName(t, client)
	b, err := storage.Open(ctx, withDatabase(t, uri, name))
	if err != nil {
		t.Fatalf("storage.Open: %v", err)
	}
	defer b.Close()

	expires := time.Now().Add(time.Hour).Truncate(time.Millisecond)
	if err := b.Responses.Write(ctx, "plain", []byte("v1")); err != nil {
		t.Fatal(err)
	}
	if err := b.Responses.(storage.ExpiringWriter).WriteWithExpiry(ctx, "expiring", []byte("v2"), expires); err != nil {
		t.Fatal(err)
	}
	if err := b.Redirects.Write(ctx, "alias", []byte("plain")); err != nil {
		t.Fatal(err)
	}

	dbs, err := client.ListDatabaseNames(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(dbs, name) {
		t.Fatalf("databases = %q, want one named %q (the cache_name)", dbs, name)
	}
	colls, err := client.Database(name).ListCollectionNames(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(colls)
	if want := []string{"redirects", "responses"}; !slices.Equal(colls, want) {
		t.Fatalf("collections of %s = %q, want %q", name, colls, want)
	}

	raw := func(coll, id string) bson.Raw {
		t.Helper()
		doc, err := client.Database(name).Collection(coll).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Raw()
		if err != nil {
			t.Fatalf("find %s.%s _id %q: %v", name, coll, id, err)
		}
		return doc
	}
	checkValue := func(doc bson.Raw, want string) {
		t.Helper()
		subtype, data, ok := doc.Lookup("value").BinaryOK()
		if !ok || subtype != bson.TypeBinaryGeneric || string(data) != want {
			t.Fatalf("document %s: value = %s, want BinData(0, %q)", doc, doc.Lookup("value"), want)
		}
	}
	plain := raw("responses", "plain")
	checkValue(plain, "v1")
	if v, err := plain.LookupErr("expires"); err == nil {
		t.Errorf("document written by Write has expires = %s, want no expires field", v)
	}
	exp := raw("responses", "expiring")
	checkValue(exp, "v2")
	if got, ok := exp.Lookup("expires").TimeOK(); !ok || !got.Equal(expires) {
		t.Errorf("document written by WriteWithExpiry: expires = %s, want the date %s", exp.Lookup("expires"), expires)
	}
	checkValue(raw("redirects", "alias"), "plain")

	// Clear empties its own collection only and drops nothing.
	if err := b.Responses.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := b.Redirects.Size(ctx); err != nil || n != 1 {
		t.Fatalf("Redirects.Size after Responses.Clear = (%d, %v), want (1, nil)", n, err)
	}
	colls, err = client.Database(name).ListCollectionNames(ctx, bson.D{})
	if err != nil || len(colls) != 2 {
		t.Fatalf("collections after Clear = (%q, %v), want both still there", colls, err)
	}
}

// TestDefaultCacheName checks that a URL with no database in its path uses
// the database http_cache. It leaves that database in place and removes only
// its own key.
func TestDefaultCacheName(t *testing.T) {
	uri := serverURI(t)
	client := testClient(t)
	ctx := ctxFor(t, time.Minute)
	b, err := storage.Open(ctx, withDatabase(t, uri, ""))
	if err != nil {
		t.Fatalf("storage.Open: %v", err)
	}
	defer b.Close()
	key := "mongostore-test-" + uniqueName(t, client)
	if err := b.Responses.Write(ctx, key, []byte("v")); err != nil {
		t.Fatal(err)
	}
	defer b.Responses.Delete(ctx, key)
	n, err := client.Database(mongostore.DefaultCacheName).Collection("responses").CountDocuments(ctx, bson.D{{Key: "_id", Value: key}})
	if err != nil || n != 1 {
		t.Fatalf("documents with _id %q in http_cache.responses = (%d, %v), want (1, nil)", key, n, err)
	}
}

// TestExpiry checks the TTL index (or the one warning where the server has
// none) and that expired documents are hidden and pruned.
func TestExpiry(t *testing.T) {
	client := testClient(t)
	ctx := ctxFor(t, time.Minute)
	name := uniqueName(t, client)
	rec := &recorder{}
	b, err := mongostore.New(ctx, client, &mongostore.Options{CacheName: name, Logger: slogNew(rec)})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	defer b.Close()

	warnings := rec.warnings()
	for _, coll := range []string{"responses", "redirects"} {
		specs, err := client.Database(name).Collection(coll).Indexes().ListSpecifications(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var ttl, plain bool
		for _, s := range specs {
			if s.KeysDocument.Lookup("expires").IsZero() {
				continue
			}
			if s.ExpireAfterSeconds != nil && *s.ExpireAfterSeconds == 0 {
				ttl = true
			} else {
				plain = true
			}
		}
		switch {
		case len(warnings) == 0 && !ttl:
			t.Errorf("%s.%s has no TTL index on expires and nothing was logged", name, coll)
		case len(warnings) > 0 && !plain:
			t.Errorf("%s.%s: no TTL index (logged) but no plain index on expires either", name, coll)
		}
	}
	switch {
	case len(warnings) > 1:
		t.Errorf("logged %d warnings, want one at most", len(warnings))
	case len(warnings) == 1:
		if msg := warnings[0].Message; !strings.Contains(msg, "TTL index") {
			t.Errorf("warning %q does not mention the TTL index", msg)
		}
		t.Logf("the server has no TTL indexes: %s", warnings[0].Message)
	}

	s := b.Responses
	now := time.Now()
	ew := s.(storage.ExpiringWriter)
	if err := ew.WriteWithExpiry(ctx, "old", []byte("v"), now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := ew.WriteWithExpiry(ctx, "new", []byte("v"), now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Read(ctx, "old"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Read of an expired document: err = %v, want storage.ErrNotFound", err)
	}
	if ok, err := s.Contains(ctx, "old"); ok || err != nil {
		t.Errorf("Contains of an expired document = (%v, %v), want (false, nil)", ok, err)
	}
	if n, err := s.Size(ctx); n != 1 || err != nil {
		t.Errorf("Size with one live and one expired document = (%d, %v), want (1, nil)", n, err)
	}
	var keys []string
	for k, err := range s.Keys(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	if !slices.Equal(keys, []string{"new"}) {
		t.Errorf("Keys = %q, want only the live key", keys)
	}
	n, err := s.(storage.Pruner).DeleteExpired(ctx, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// A real TTL monitor may have removed it first.
	if n > 1 {
		t.Errorf("DeleteExpired = %d, want at most 1", n)
	}
	left, err := client.Database(name).Collection("responses").CountDocuments(ctx, bson.D{})
	if err != nil || left != 1 {
		t.Errorf("documents left after DeleteExpired = (%d, %v), want (1, nil)", left, err)
	}

	// Opening the same database again (indexes already there) logs at most
	// one more warning.
	b2, err := mongostore.New(ctx, client, &mongostore.Options{CacheName: name, Logger: slogNew(rec)})
	if err != nil {
		t.Fatalf("second New: %v", err)
	}
	defer b2.Close()
	if got := len(rec.warnings()); got > 2*len(warnings) {
		t.Errorf("a second New logged %d more warnings, want %d", got-len(warnings), len(warnings))
	}
	if v, err := b2.Responses.Read(ctx, "new"); err != nil || !bytes.Equal(v, []byte("v")) {
		t.Errorf("Read through a second Backend = (%q, %v), want (\"v\", nil)", v, err)
	}
}
