package redisstore_test

import (
	"context"
	"slices"
	"testing"

	"github.com/clientcache/clientcache/storage"
	"github.com/redis/go-redis/v9"
)

func TestNamespaceSingleNode(t *testing.T) { testNamespace(t, singleClient(t)) }
func TestNamespaceCluster(t *testing.T)    { testNamespace(t, clusterClient(t)) }

func keysOf(t *testing.T, s storage.Storage) []string {
	t.Helper()
	var out []string
	for k, err := range s.Keys(ctxT(t)) {
		if err != nil {
			t.Fatalf("Keys: %v", err)
		}
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// testNamespace checks the key layout, and that nothing outside the prefix
// is listed, counted or deleted, even when the cache_name holds glob
// characters and another namespace's name starts with it.
func testNamespace(t *testing.T, raw redis.UniversalClient) {
	ctx := ctxT(t)
	base := uniqueName()
	name := base + `*?[a]\`
	b := newBackend(t, raw, name)
	neighbour := newBackend(t, raw, base+"xQa") // would match name's pattern, were it not escaped
	foreign := []string{base + "-foreign", base + ":responses:k", name + "x:responses:k", name + ":other:k"}
	for _, k := range foreign {
		if err := raw.Set(ctx, k, "foreign", 0).Err(); err != nil {
			t.Fatalf("raw SET %q: %v", k, err)
		}
		// t.Context() is done by the time cleanups run.
		t.Cleanup(func() { raw.Del(context.Background(), k) })
	}
	if err := neighbour.Responses.Write(ctx, "n", []byte("neighbour")); err != nil {
		t.Fatal(err)
	}
	if err := b.Responses.Write(ctx, "k", []byte("response")); err != nil {
		t.Fatal(err)
	}
	if err := b.Redirects.Write(ctx, "alias", []byte("k")); err != nil {
		t.Fatal(err)
	}

	// The layout: <cache_name>:responses:<key> and <cache_name>:redirects:<key>.
	for k, want := range map[string]string{name + ":responses:k": "response", name + ":redirects:alias": "k"} {
		if got, err := raw.Get(ctx, k).Result(); err != nil || got != want {
			t.Errorf("raw GET %q = (%q, %v), want (%q, nil)", k, got, err, want)
		}
	}
	if got := keysOf(t, b.Responses); !slices.Equal(got, []string{"k"}) {
		t.Errorf("Responses.Keys = %q, want [k]", got)
	}
	if got := keysOf(t, b.Redirects); !slices.Equal(got, []string{"alias"}) {
		t.Errorf("Redirects.Keys = %q, want [alias]", got)
	}
	if n, err := b.Responses.Size(ctx); err != nil || n != 1 {
		t.Errorf("Responses.Size = (%d, %v), want (1, nil)", n, err)
	}
	for v, err := range b.Responses.Values(ctx) {
		if err != nil || string(v) != "response" {
			t.Errorf("Responses.Values yielded (%q, %v), want only \"response\"", v, err)
		}
	}

	if err := b.Responses.Clear(ctx); err != nil {
		t.Fatalf("Clear: %v", err)
	}
	if n, err := b.Responses.Size(ctx); err != nil || n != 0 {
		t.Errorf("Responses.Size after Clear = (%d, %v), want (0, nil)", n, err)
	}
	if got := keysOf(t, b.Redirects); !slices.Equal(got, []string{"alias"}) {
		t.Errorf("Redirects.Keys after Responses.Clear = %q, want [alias]: the storages are separate", got)
	}
	for _, k := range foreign {
		if n, err := raw.Exists(ctx, k).Result(); err != nil || n != 1 {
			t.Errorf("foreign key %q after Clear: EXISTS = (%d, %v), want (1, nil)", k, n, err)
		}
	}
	if got := keysOf(t, neighbour.Responses); !slices.Equal(got, []string{"n"}) {
		t.Errorf("neighbour namespace after Clear: Keys = %q, want [n]", got)
	}
}
