package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/redisstore"
	"github.com/redis/go-redis/v9"
)

// Open a cache from a URL with storage.Open (importing the package registers
// redis:// and rediss://): the keys live under "myapp:" in database 0.
// (No output is checked: the example needs a Redis server.)
func Example() {
	ctx := context.Background()
	b, err := storage.Open(ctx, "redis://localhost:6379/0?cache_name=myapp")
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

// Open a client of the store's own: a Cluster, since there are several
// addresses. Closing the Backend closes the client.
func ExampleOpen() {
	ctx := context.Background()
	b, err := redisstore.Open(ctx, &redis.UniversalOptions{
		Addrs: []string{"redis-1:7000", "redis-2:7000", "redis-3:7000"},
	}, &redisstore.Options{CacheName: "myapp"})
	if errors.Is(err, storage.ErrUnavailable) {
		// No server answers: b connects once one does. A program that
		// cannot start without its cache would log.Fatal here instead.
		log.Print(err)
	} else if err != nil {
		log.Fatal(err) // a mistake in the options, such as a wrong password
	}
	defer b.Close()
}

// Share a client the application already has, here one of a Redis Cluster,
// made with ContextTimeoutEnabled so that the deadline clientcache gives each
// operation (Options.Timeout) bounds its socket reads and writes. Closing the
// Backend leaves the client open.
func ExampleNew() {
	client := redis.NewClusterClient(&redis.ClusterOptions{
		Addrs:                 []string{"redis-1:7000", "redis-2:7000", "redis-3:7000"},
		ContextTimeoutEnabled: true,
	})
	defer client.Close()

	ctx := context.Background()
	b, err := redisstore.New(ctx, client, &redisstore.Options{CacheName: "myapp"})
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
