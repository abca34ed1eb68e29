package dynamostore_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/dynamostore"
	"github.com/clientcache/clientcache/storage/storagetest"
)

// TestConformance runs the storage conformance suite against each server,
// on a fresh table per subtest: the responses namespace in even subtests,
// the redirects namespace in odd ones.
func TestConformance(t *testing.T) {
	forEachServer(t, func(t *testing.T, env string) {
		client := testClient(endpointOrSkip(t, env))
		n := 0
		storagetest.Run(t, func(t *testing.T) storage.Storage {
			name := uniqueTable(t, client)
			b, err := dynamostore.New(ctxFor(t, time.Minute), client, &dynamostore.Options{CacheName: name, Logger: testLogger(t)})
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			n++
			if n%2 == 0 {
				_ = b.Responses.Close()
				return b.Redirects
			}
			_ = b.Redirects.Close()
			return b.Responses
		})
	})
}

// TestBackend runs the Backend specification against each server, on the
// Backends of New (the caller's client, which Close must leave working), of
// Open (a client of the store's own, shared by its two storages) and of
// storage.Open's dynamodb:// URLs (the endpoint and region convenience).
// The table is the cache_name.
func TestBackend(t *testing.T) {
	forEachServer(t, func(t *testing.T, env string) {
		endpoint := endpointOrSkip(t, env)
		client := testClient(endpoint)
		tableOf := func(b *storage.Backend) string { return dynamostore.Table(b.Responses) }
		t.Run("New", func(t *testing.T) {
			open := func(t *testing.T, name string) *storage.Backend {
				t.Helper()
				b, err := dynamostore.New(ctxFor(t, time.Minute), client, &dynamostore.Options{CacheName: name, Logger: testLogger(t)})
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				return b
			}
			storagetest.RunBackend(t, func(t *testing.T) *storage.Backend { return open(t, uniqueTable(t, client)) }, &storagetest.BackendOptions{
				Reopen: func(t *testing.T, b *storage.Backend) *storage.Backend { return open(t, tableOf(b)) },
				ClientStillWorks: func(t *testing.T, b *storage.Backend) error {
					_, err := client.DescribeTable(ctxFor(t, time.Minute), &dynamodb.DescribeTableInput{TableName: aws.String(tableOf(b))})
					return err
				},
			})
		})
		t.Run("Open", func(t *testing.T) {
			open := func(t *testing.T, name string) *storage.Backend {
				t.Helper()
				b, err := dynamostore.Open(ctxFor(t, time.Minute), testConfig(endpoint), &dynamostore.Options{CacheName: name, Logger: testLogger(t)})
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				return b
			}
			storagetest.RunBackend(t, func(t *testing.T) *storage.Backend { return open(t, uniqueTable(t, client)) }, &storagetest.BackendOptions{
				Reopen: func(t *testing.T, b *storage.Backend) *storage.Backend { return open(t, tableOf(b)) },
			})
		})
		t.Run("storage.Open", func(t *testing.T) {
			open := func(t *testing.T, name string) *storage.Backend {
				t.Helper()
				b, err := storage.Open(ctxFor(t, time.Minute), "dynamodb://"+name+"?region=us-east-1&endpoint="+url.QueryEscape(endpoint))
				if err != nil {
					t.Fatalf("storage.Open: %v", err)
				}
				return b
			}
			storagetest.RunBackend(t, func(t *testing.T) *storage.Backend { return open(t, uniqueTable(t, client)) }, &storagetest.BackendOptions{
				Reopen: func(t *testing.T, b *storage.Backend) *storage.Backend { return open(t, tableOf(b)) },
			})
		})
	})
}
