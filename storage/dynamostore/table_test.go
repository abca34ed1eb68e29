package dynamostore_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/dynamostore"
)

// The table is cache_name, with on-demand billing and the documented key.
func TestTableIsCacheName(t *testing.T) {
	forEachServer(t, func(t *testing.T, env string) {
		b, client, name := openBackend(t, env, nil)
		if got := dynamostore.Table(b.Responses); got != name {
			t.Errorf("Table = %q, want %q", got, name)
		}
		out, err := client.DescribeTable(ctxFor(t, time.Minute), &dynamodb.DescribeTableInput{TableName: aws.String(name)})
		if err != nil {
			t.Fatalf("DescribeTable(%q), the cache name: %v", name, err)
		}
		d := out.Table
		if d.TableStatus != types.TableStatusActive {
			t.Errorf("table status = %s, want ACTIVE", d.TableStatus)
		}
		if d.BillingModeSummary == nil || d.BillingModeSummary.BillingMode != types.BillingModePayPerRequest {
			t.Errorf("billing mode summary = %+v, want PAY_PER_REQUEST", d.BillingModeSummary)
		}
		if len(d.KeySchema) != 1 || aws.ToString(d.KeySchema[0].AttributeName) != "k" || d.KeySchema[0].KeyType != types.KeyTypeHash {
			t.Errorf("key schema = %+v, want the one partition key k", d.KeySchema)
		}
	})
}

// With nil Options the table is http_cache. A table of that name that
// exists already (the server is shared) is used and left in place.
func TestDefaultCacheName(t *testing.T) {
	client := testClient(endpointOrSkip(t, envDynalite))
	_, err := client.DescribeTable(ctxFor(t, time.Minute), &dynamodb.DescribeTableInput{TableName: aws.String("http_cache")})
	var nf *types.ResourceNotFoundException
	if errors.As(err, &nf) {
		t.Cleanup(func() { deleteTable(t, client, "http_cache") })
	}
	b, err := dynamostore.New(ctxFor(t, time.Minute), client, &dynamostore.Options{Logger: testLogger(t)})
	if err != nil {
		t.Fatalf("New(default options): %v", err)
	}
	defer b.Close()
	if got := dynamostore.Table(b.Responses); got != "http_cache" {
		t.Fatalf("table = %q, want http_cache", got)
	}
	if _, err := client.DescribeTable(ctxFor(t, time.Minute), &dynamodb.DescribeTableInput{TableName: aws.String("http_cache")}); err != nil {
		t.Fatalf("DescribeTable(http_cache): %v", err)
	}
}

// DynamoDB Local supports TTL: the store enables it on "expires".
func TestTTLEnabled(t *testing.T) {
	_, client, name := openBackend(t, envDynamoDBLocal, nil)
	out, err := client.DescribeTimeToLive(ctxFor(t, time.Minute), &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatalf("DescribeTimeToLive: %v", err)
	}
	d := out.TimeToLiveDescription
	if d == nil || d.TimeToLiveStatus != types.TimeToLiveStatusEnabled || aws.ToString(d.AttributeName) != "expires" {
		t.Fatalf("TimeToLiveDescription = %+v, want ENABLED on expires", d)
	}
}

func TestCreateTableFalse(t *testing.T) {
	forEachServer(t, func(t *testing.T, env string) {
		client := testClient(endpointOrSkip(t, env))
		name := uniqueTable(t, client)
		_, err := dynamostore.New(ctxFor(t, time.Minute), client, &dynamostore.Options{CacheName: name, CreateTable: aws.Bool(false)})
		if err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "does not exist") {
			t.Fatalf("New(CreateTable false) on a missing table: err = %v, want one saying table %s does not exist", err, name)
		}
		if errors.Is(err, storage.ErrUnavailable) {
			t.Fatalf("New(CreateTable false) on a missing table: err %q wraps storage.ErrUnavailable: a mistake is not an outage", err)
		}
		if _, err := client.DescribeTable(ctxFor(t, time.Minute), &dynamodb.DescribeTableInput{TableName: aws.String(name)}); err == nil {
			t.Fatal("the table was created although CreateTable is false")
		}
		// Once the table exists, CreateTable false uses it.
		b1, _, _ := openBackend(t, env, &dynamostore.Options{CacheName: name})
		if err := b1.Responses.Write(ctxFor(t, time.Minute), "k", []byte("v")); err != nil {
			t.Fatal(err)
		}
		b2, _, _ := openBackend(t, env, &dynamostore.Options{CacheName: name, CreateTable: aws.Bool(false)})
		if v, err := b2.Responses.Read(ctxFor(t, time.Minute), "k"); err != nil || string(v) != "v" {
			t.Fatalf("Read through a CreateTable=false store = (%q, %v), want (v, nil)", v, err)
		}
	})
}

func TestWrongKeySchema(t *testing.T) {
	forEachServer(t, func(t *testing.T, env string) {
		client := testClient(endpointOrSkip(t, env))
		name := uniqueTable(t, client)
		_, err := client.CreateTable(ctxFor(t, time.Minute), &dynamodb.CreateTableInput{
			TableName:            aws.String(name),
			BillingMode:          types.BillingModePayPerRequest,
			AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
			KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
		})
		if err != nil {
			t.Fatal(err)
		}
		b, err := dynamostore.New(ctxFor(t, time.Minute), client, &dynamostore.Options{CacheName: name, Logger: testLogger(t)})
		if err == nil || !strings.Contains(err.Error(), "key schema") {
			t.Fatalf("New on a table keyed by id: err = %v, want a key schema error", err)
		}
		if errors.Is(err, storage.ErrUnavailable) || b != nil {
			t.Fatalf("New on a table keyed by id = (%v, %v), want no Backend and an error not wrapping storage.ErrUnavailable: a mistake is not an outage", b, err)
		}
	})
}

func TestInvalidOptions(t *testing.T) {
	client := testClient("http://127.0.0.1:1")
	for _, name := range []string{"ab", "has space", "slash/name", strings.Repeat("x", 256)} {
		if _, err := dynamostore.New(t.Context(), client, &dynamostore.Options{CacheName: name}); err == nil || !strings.Contains(err.Error(), "table name") {
			t.Errorf("New(CacheName %q): err = %v, want an invalid table name error", name, err)
		}
	}
	if _, err := dynamostore.New(t.Context(), nil, nil); err == nil {
		t.Error("New(nil client): want an error")
	}
}

// A table deleted under a running store is created again on first use.
func TestTableRecreated(t *testing.T) {
	forEachServer(t, func(t *testing.T, env string) {
		b, client, name := openBackend(t, env, nil)
		ctx := ctxFor(t, time.Minute)
		if err := b.Responses.Write(ctx, "k", []byte("v1")); err != nil {
			t.Fatal(err)
		}
		deleteTable(t, client, name)
		waitTableGone(t, client, name)
		if err := b.Responses.Write(ctx, "k", []byte("v2")); err != nil {
			t.Fatalf("Write after the table was deleted: %v, want the table re-created", err)
		}
		if v, err := b.Responses.Read(ctx, "k"); err != nil || string(v) != "v2" {
			t.Fatalf("Read = (%q, %v), want v2", v, err)
		}
	})
}

// With CreateTable false a vanished table is an error, not re-created.
func TestTableNotRecreatedWhenCreateFalse(t *testing.T) {
	forEachServer(t, func(t *testing.T, env string) {
		_, client, name := openBackend(t, env, nil)
		b, _, _ := openBackend(t, env, &dynamostore.Options{CacheName: name, CreateTable: aws.Bool(false)})
		deleteTable(t, client, name)
		waitTableGone(t, client, name)
		err := b.Responses.Write(ctxFor(t, time.Minute), "k", []byte("v"))
		var nf *types.ResourceNotFoundException
		if !errors.As(err, &nf) || !strings.Contains(err.Error(), name) {
			t.Fatalf("Write to a deleted table with CreateTable false: err = %v, want ResourceNotFoundException naming %s", err, name)
		}
	})
}

func waitTableGone(t *testing.T, client *dynamodb.Client, name string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		_, err := client.DescribeTable(ctxFor(t, time.Minute), &dynamodb.DescribeTableInput{TableName: aws.String(name)})
		var nf *types.ResourceNotFoundException
		if errors.As(err, &nf) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("table %s still exists 30s after DeleteTable", name)
}
