package dynamostore_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/clientcache/clientcache/storage"
)

func randomBytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rand.Uint32())
	}
	return b
}

// A 1 MB value round-trips through chunk items, each under the item limit;
// overwriting and deleting leave no chunk behind.
func TestLargeValueChunks(t *testing.T) {
	forEachServer(t, func(t *testing.T, env string) {
		b, client, name := openBackend(t, env, nil)
		s := b.Responses
		ctx := ctxFor(t, time.Minute)
		big := randomBytes(1 << 20)
		if err := s.Write(ctx, "big", big); err != nil {
			t.Fatalf("Write(1 MB): %v", err)
		}
		got, err := s.Read(ctx, "big")
		if err != nil || !bytes.Equal(got, big) {
			t.Fatalf("Read(big) = (%d bytes, %v), want the 1 MB written", len(got), err)
		}
		items := allItems(t, client, name)
		if len(items) != 4 { // head + 3 chunks of 350 KiB
			t.Fatalf("items after writing 1 MB = %q, want a head and 3 chunks", items)
		}
		checkItemSizes(t, client, name)
		if n, err := s.Size(ctx); err != nil || n != 1 {
			t.Fatalf("Size = (%d, %v), want 1: chunks are not keys", n, err)
		}

		// A chunked value replaced by another and then by an inline one.
		big2 := randomBytes(800 << 10)
		if err := s.Write(ctx, "big", big2); err != nil {
			t.Fatal(err)
		}
		if items := allItems(t, client, name); len(items) != 4 {
			t.Fatalf("items after overwriting with 800 KB = %q, want a head and 3 chunks", items)
		}
		if err := s.Write(ctx, "big", []byte("small")); err != nil {
			t.Fatal(err)
		}
		if items := allItems(t, client, name); !slices.Equal(items, []string{"responses#big"}) {
			t.Fatalf("items after overwriting with a small value = %q, want only the head", items)
		}

		// Delete removes the chunks.
		if err := s.Write(ctx, "big", big); err != nil {
			t.Fatal(err)
		}
		if err := s.Delete(ctx, "big"); err != nil {
			t.Fatal(err)
		}
		if items := allItems(t, client, name); len(items) != 0 {
			t.Fatalf("items after Delete = %q, want none", items)
		}

		// So does DeleteMany.
		for _, k := range []string{"a", "b"} {
			if err := s.Write(ctx, k, big); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.(storage.BulkDeleter).DeleteMany(ctx, []string{"a", "b", "a"}); err != nil {
			t.Fatal(err)
		}
		if items := allItems(t, client, name); len(items) != 0 {
			t.Fatalf("items after DeleteMany = %q, want none", items)
		}
	})
}

// checkItemSizes fails when an item reaches DynamoDB's 400 KB limit, counted
// as AWS counts it (attribute names plus values).
func checkItemSizes(t *testing.T, client *dynamodb.Client, table string) {
	t.Helper()
	out, err := client.Scan(ctxFor(t, time.Minute), &dynamodb.ScanInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	for _, item := range out.Items {
		size := 0
		for name, v := range item {
			size += len(name)
			switch v := v.(type) {
			case *types.AttributeValueMemberB:
				size += len(v.Value)
			case *types.AttributeValueMemberS:
				size += len(v.Value)
			case *types.AttributeValueMemberN:
				size += len(v.Value)
			}
		}
		if size >= 400<<10 {
			t.Errorf("item %v is %d bytes, at or over the 400 KB limit", item["k"], size)
		}
	}
}

// Expiry is checked on read: DynamoDB's sweep lags.
func TestExpiredHiddenOnRead(t *testing.T) {
	forEachServer(t, func(t *testing.T, env string) {
		b, client, name := openBackend(t, env, nil)
		s := b.Responses
		ew := s.(storage.ExpiringWriter)
		ctx := ctxFor(t, time.Minute)
		past := time.Now().Add(-time.Minute)
		if err := ew.WriteWithExpiry(ctx, "old", []byte("v"), past); err != nil {
			t.Fatal(err)
		}
		if err := ew.WriteWithExpiry(ctx, "oldbig", randomBytes(400<<10), past); err != nil {
			t.Fatal(err)
		}
		if err := ew.WriteWithExpiry(ctx, "new", []byte("v"), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"old", "oldbig"} {
			if _, err := s.Read(ctx, k); !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("Read(%s) of an expired value: err = %v, want ErrNotFound", k, err)
			}
			if ok, err := s.Contains(ctx, k); ok || err != nil {
				t.Errorf("Contains(%s) of an expired value = (%v, %v), want false", k, ok, err)
			}
		}
		if n, err := s.Size(ctx); n != 1 || err != nil {
			t.Errorf("Size = (%d, %v), want 1: expired values do not count", n, err)
		}
		var keys []string
		for k, err := range s.Keys(ctx) {
			if err != nil {
				t.Fatal(err)
			}
			keys = append(keys, k)
		}
		if !slices.Equal(keys, []string{"new"}) {
			t.Errorf("Keys = %q, want [new]", keys)
		}
		nvals := 0
		for _, err := range s.Values(ctx) {
			if err != nil {
				t.Fatal(err)
			}
			nvals++
		}
		if nvals != 1 {
			t.Errorf("Values yielded %d, want 1", nvals)
		}
		// The expiry is the TTL attribute, on the head and on every chunk.
		out, err := client.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		for _, item := range out.Items {
			if _, ok := item["expires"].(*types.AttributeValueMemberN); !ok {
				t.Errorf("item %v has no numeric expires attribute", item["k"])
			}
		}
		n, err := s.(storage.Pruner).DeleteExpired(ctx, time.Now())
		// DynamoDB Local sweeps expired items by itself (TTL is on), within
		// seconds, so it may have removed some already; dynalite has no TTL.
		if want := 2; err != nil || n > want || (env == "DYNALITE_ENDPOINT" && n != want) {
			t.Fatalf("DeleteExpired = (%d, %v), want (2, nil), or fewer where the server's TTL sweep got there first", n, err)
		}
		if items := allItems(t, client, name); !slices.Equal(items, []string{"responses#new"}) {
			t.Fatalf("items after DeleteExpired = %q, want only responses#new (no chunks left)", items)
		}
	})
}

// A head whose chunks are gone (its writer died) reads as absent and is
// removed.
func TestLostChunksReadAsAbsent(t *testing.T) {
	forEachServer(t, func(t *testing.T, env string) {
		b, client, name := openBackend(t, env, nil)
		ctx := ctxFor(t, time.Minute)
		if err := b.Responses.Write(ctx, "big", randomBytes(1<<20)); err != nil {
			t.Fatal(err)
		}
		for _, k := range allItems(t, client, name) {
			if strings.HasPrefix(k, "responses@") {
				if _, err := client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
					TableName: aws.String(name),
					Key:       map[string]types.AttributeValue{"k": &types.AttributeValueMemberS{Value: k}},
				}); err != nil {
					t.Fatal(err)
				}
				break
			}
		}
		if _, err := b.Responses.Read(ctx, "big"); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("Read of a value with a lost chunk: err = %v, want ErrNotFound", err)
		}
		if ok, err := b.Responses.Contains(ctx, "big"); ok || err != nil {
			t.Fatalf("Contains after the broken head was read = (%v, %v), want false: the head is removed", ok, err)
		}
	})
}

// Concurrent writers of large values to one key never tear a read and leave
// exactly one value's chunks behind.
func TestConcurrentChunkedWrites(t *testing.T) {
	forEachServer(t, func(t *testing.T, env string) {
		b, client, name := openBackend(t, env, nil)
		s := b.Responses
		vals := [][]byte{randomBytes(400 << 10), randomBytes(750 << 10), randomBytes(100), randomBytes(720 << 10)}
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for w := range 4 {
			wg.Go(func() {
				ctx := ctxFor(t, 2*time.Minute)
				for i := range 4 {
					if err := s.Write(ctx, "shared", vals[(w+i)%len(vals)]); err != nil {
						errs <- fmt.Errorf("Write: %w", err)
						return
					}
					got, err := s.Read(ctx, "shared")
					if err != nil {
						errs <- fmt.Errorf("Read: %w", err)
						return
					}
					if !slices.ContainsFunc(vals, func(v []byte) bool { return bytes.Equal(v, got) }) {
						errs <- fmt.Errorf("Read returned %d bytes matching no value written: torn", len(got))
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		ctx := ctxFor(t, time.Minute)
		got, err := s.Read(ctx, "shared")
		if err != nil {
			t.Fatal(err)
		}
		want := 1 + (len(got)+350<<10-1)/(350<<10)
		if len(got) <= 350<<10 {
			want = 1
		}
		if items := allItems(t, client, name); len(items) != want {
			t.Fatalf("items after concurrent writes = %d (%q), want %d: the last value's head and chunks only", len(items), items, want)
		}
	})
}

func TestInvalidKey(t *testing.T) {
	b, _, _ := openBackend(t, envDynalite, nil)
	ctx := ctxFor(t, time.Minute)
	bad := "bad\xffkey"
	if err := b.Responses.Write(ctx, bad, []byte("v")); err == nil || !strings.Contains(err.Error(), "UTF-8") {
		t.Fatalf("Write of a non-UTF-8 key: err = %v, want a UTF-8 error", err)
	}
	if _, err := b.Responses.Read(ctx, bad); err == nil {
		t.Fatal("Read of a non-UTF-8 key: want an error")
	}
	if err := b.Responses.(storage.BulkDeleter).DeleteMany(ctx, []string{bad}); err != nil {
		t.Fatalf("DeleteMany of a key that cannot exist: %v, want nil", err)
	}
}
