package dynamostore_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/clientcache/clientcache/storage"
)

// storage.Open knows dynamodb:// and makes the host part the table.
func TestOpenURL(t *testing.T) {
	forEachServer(t, func(t *testing.T, env string) {
		endpoint := endpointOrSkip(t, env)
		client := testClient(endpoint)
		name := uniqueTable(t, client)
		ctx := ctxFor(t, time.Minute)

		missing := fmt.Sprintf("dynamodb://%s?endpoint=%s&create=false", name, endpoint)
		if _, err := storage.Open(ctx, missing); err == nil || !strings.Contains(err.Error(), "does not exist") {
			t.Fatalf("storage.Open(%s) = %v, want an error: the table does not exist", missing, err)
		}

		u := fmt.Sprintf("dynamodb://%s?endpoint=%s&region=us-east-1", name, endpoint)
		b, err := storage.Open(ctx, u)
		if err != nil {
			t.Fatalf("storage.Open(%s): %v", u, err)
		}
		defer b.Close()
		if err := b.Responses.Write(ctx, "k", []byte("v")); err != nil {
			t.Fatal(err)
		}
		if _, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}); err != nil {
			t.Fatalf("table %s (the URL's host) not found: %v", name, err)
		}
		if v, err := b.Responses.Read(ctx, "k"); err != nil || string(v) != "v" {
			t.Fatalf("Read = (%q, %v)", v, err)
		}

		b2, err := storage.Open(ctx, fmt.Sprintf("dynamodb://%s?endpoint=%s&create=false", name, endpoint))
		if err != nil {
			t.Fatalf("storage.Open with create=false on an existing table: %v", err)
		}
		defer b2.Close()
		if v, err := b2.Responses.Read(ctx, "k"); err != nil || string(v) != "v" {
			t.Fatalf("Read through a second store = (%q, %v)", v, err)
		}
	})
}

func TestOpenURLRejectsUnknownParameter(t *testing.T) {
	_, err := storage.Open(t.Context(), "dynamodb://t_1?endpoint=http://127.0.0.1:1&tabel=x")
	if err == nil || !strings.Contains(err.Error(), `unknown parameter "tabel"`) {
		t.Fatalf("err = %v, want an unknown parameter error", err)
	}
}
