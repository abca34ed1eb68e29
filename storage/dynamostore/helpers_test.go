package dynamostore_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
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
