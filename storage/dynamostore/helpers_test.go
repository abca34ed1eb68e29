package dynamostore_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/clientcache/clientcache/internal/sessiontest"
	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/dynamostore"
)

// The servers the tests run against, by environment variable.
const (
	envDynamoDBLocal = "DYNAMODB_ENDPOINT" // Amazon's DynamoDB Local
	envDynalite      = "DYNALITE_ENDPOINT" // dynalite
	envDynaliteCLI   = "DYNALITE_CLI"      // dynalite's cli.js, for the outage test
)

// servers lists the endpoint variables every server test runs against.
var servers = []string{envDynamoDBLocal, envDynalite}

// endpointOrSkip returns the endpoint in env, skipping the test when unset.
func endpointOrSkip(t *testing.T, env string) string {
	t.Helper()
	ep := os.Getenv(env)
	if ep == "" {
		t.Skipf("%s is not set: no server to test against", env)
	}
	return ep
}

// testClient is a client for a local server with placeholder credentials,
// so that the SDK never looks for real ones.
func testClient(endpoint string) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:                          "us-east-1",
		BaseEndpoint:                    aws.String(endpoint),
		Credentials:                     credentials.NewStaticCredentialsProvider("test", "test", ""),
		DisableValidateResponseChecksum: true,
	})
}

// testConfig is the AWS configuration of a local server with placeholder
// credentials, for Open.
func testConfig(endpoint string) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	}
}

// uniqueTable returns a fresh table name and deletes that table when the
// test ends.
func uniqueTable(t *testing.T, client *dynamodb.Client) string {
	t.Helper()
	name := fmt.Sprintf("cctest_%d_%08x", time.Now().UnixNano()%1e9, rand.Uint32())
	t.Cleanup(func() { deleteTable(t, client, name) })
	return name
}

func deleteTable(t *testing.T, client *dynamodb.Client, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	var nf *types.ResourceNotFoundException
	if err != nil && !errors.As(err, &nf) {
		t.Logf("deleting table %s: %v", name, err)
	}
}

func ctxFor(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), d)
	t.Cleanup(cancel)
	return ctx
}

// openBackend creates a backend over a fresh table of the server in env.
func openBackend(t *testing.T, env string, opts *dynamostore.Options) (*storage.Backend, *dynamodb.Client, string) {
	t.Helper()
	client := testClient(endpointOrSkip(t, env))
	if opts == nil {
		opts = &dynamostore.Options{}
	}
	if opts.CacheName == "" {
		opts.CacheName = uniqueTable(t, client)
	}
	if opts.Logger == nil {
		opts.Logger = testLogger(t)
	}
	if opts.Timeout == 0 {
		opts.Timeout = testTimeout
	}
	b, err := dynamostore.New(ctxFor(t, time.Minute), client, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b, client, opts.CacheName
}

// allItems returns the partition keys of every item in the table.
func allItems(t *testing.T, client *dynamodb.Client, table string) []string {
	t.Helper()
	var ks []string
	p := dynamodb.NewScanPaginator(client, &dynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctxFor(t, time.Minute))
		if err != nil {
			t.Fatalf("Scan %s: %v", table, err)
		}
		for _, item := range out.Items {
			ks = append(ks, item["k"].(*types.AttributeValueMemberS).Value)
		}
	}
	return ks
}

func forEachServer(t *testing.T, fn func(t *testing.T, env string)) {
	for _, env := range servers {
		t.Run(strings.TrimSuffix(env, "_ENDPOINT"), func(t *testing.T) { fn(t, env) })
	}
}

// testLogger sends the store's log to the test's output.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), nil))
}

// testTimeout is the Backend.Timeout of the tests' Backends that a Session
// uses: generous, since the tests run under the race detector on machines
// doing much else, and they test what the store does, not how fast.
const testTimeout = 10 * time.Second

// patience bounds every wait for something that must happen (a server
// answering again, a call returning): the tests assert what happens, never
// how fast.
const patience = 30 * time.Second

// returnsSoon runs call and returns its error, failing the test if call has
// not returned within patience: a call that must end at its deadline but
// does not would otherwise hang the test.
func returnsSoon(t *testing.T, what string, call func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- call() }()
	select {
	case err := <-done:
		return err
	case <-time.After(patience):
		t.Fatalf("%s did not return within %v", what, patience)
		return nil
	}
}

// wantCachedSoon is probe.WantCached, tried again until it holds: after the
// store failed, clientcache skips it until a probe of its own finds it back.
func wantCachedSoon(t *testing.T, probe *sessiontest.Probe, when string) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for {
		probe.Get()
		if probe.Get().FromCache {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s, no GET was served from the cache within %v", when, patience)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitWorks writes to s until the write succeeds, failing the test if it
// does not within patience or fails with an error other than an outage.
func waitWorks(t *testing.T, s storage.Storage) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for tries := 1; ; tries++ {
		err := s.Write(ctxFor(t, time.Minute), "lazy", []byte("works"))
		if err == nil {
			t.Logf("the store worked after %d tries", tries)
			return
		}
		if !errors.Is(err, storage.ErrUnavailable) {
			t.Fatalf("Write while connecting: %v, want success or an error wrapping storage.ErrUnavailable", err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the store did not work within %v (%d tries): %v", patience, tries, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// silentServer listens on a loopback port, accepts every connection and
// reads from it forever without answering, like a server that hangs. It
// stops when the test ends.
func silentServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				buf := make([]byte, 4096)
				for {
					if _, err := c.Read(buf); err != nil {
						return
					}
				}
			}()
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return l.Addr().String()
}
