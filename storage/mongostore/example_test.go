package mongostore_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/mongostore"
)

// Open a cache kept in the database my_cache (its cache_name) of a local
// MongoDB server. The example needs that server, so it has no Output.
func ExampleOpen() {
	ctx := context.Background()
	clientOpts := options.Client().ApplyURI("mongodb://127.0.0.1:27017/")
	b, err := mongostore.Open(ctx, clientOpts, &mongostore.Options{CacheName: "my_cache"})
	if err != nil {
		log.Fatal(err) // names the address when the server is down
	}
	defer b.Close() // disconnects the client Open made

	if err := b.Responses.Write(ctx, "key", []byte("value")); err != nil {
		log.Fatal(err)
	}
	v, err := b.Responses.Read(ctx, "key")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s\n", v)
}

// Share a client the program already has; the store never disconnects it.
func ExampleNew() {
	ctx := context.Background()
	client, err := mongo.Connect(options.Client().ApplyURI("mongodb://127.0.0.1:27017/"))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)

	b, err := mongostore.New(ctx, client, &mongostore.Options{CacheName: "my_cache"})
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()

	// Native expiry: MongoDB's TTL monitor removes the document after an
	// hour, and reads hide it from then on.
	ew := b.Responses.(storage.ExpiringWriter)
	if err := ew.WriteWithExpiry(ctx, "key", []byte("value"), time.Now().Add(time.Hour)); err != nil {
		log.Fatal(err)
	}
}

// Open a store from a URL, as the command-line tool's --cache does. The
// import of mongostore registers the schemes mongodb and mongodb+srv; the
// database in the path is the cache_name and the query holds driver options.
func Example_url() {
	ctx := context.Background()
	b, err := storage.Open(ctx, "mongodb://127.0.0.1:27017/my_cache?serverSelectionTimeoutMS=2000")
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()
	n, err := b.Responses.Size(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n, "responses cached")
}
