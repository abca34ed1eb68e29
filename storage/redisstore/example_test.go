package redisstore_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/redisstore"
	"github.com/redis/go-redis/v9"
)

// Open a cache from a URL: the keys live under "myapp:" in database 0.
// (No output is checked: the example needs a Redis server.)
func Example() {
	ctx := context.Background()
	b, err := redisstore.OpenURL(ctx, "redis://localhost:6379/0?cache_name=myapp")
	if err != nil {
		log.Fatal(err) // names the address when no server answers
	}
	defer b.Close()

	// The cache itself writes entries; here, by hand, with a one-hour TTL.
	ew := b.Responses.(storage.ExpiringWriter)
	if err := ew.WriteWithExpiry(ctx, "key", []byte("entry"), time.Now().Add(time.Hour)); err != nil {
		log.Fatal(err)
	}
	v, err := b.Responses.Read(ctx, "key") // Redis key "myapp:responses:key"
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s\n", v)
}

// Share a client the application already has, here one of a Redis Cluster.
// Closing the Backend leaves the client open.
func ExampleNew() {
	client := redis.NewClusterClient(&redis.ClusterOptions{
		Addrs: []string{"redis-1:7000", "redis-2:7000", "redis-3:7000"},
	})
	defer client.Close()

	b, err := redisstore.New(client, &redisstore.Options{CacheName: "myapp"})
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()
	n, err := b.Responses.Size(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n, "cached responses")
}
