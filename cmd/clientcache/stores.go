package main

// Every store joins the storage.Open registry when imported, so that every
// --cache URL scheme works.
import (
	_ "github.com/clientcache/clientcache/storage/dynamostore" // dynamodb://
	_ "github.com/clientcache/clientcache/storage/filestore"   // file://
	_ "github.com/clientcache/clientcache/storage/memstore"    // memory://
	_ "github.com/clientcache/clientcache/storage/mongostore"  // mongodb://, mongodb+srv://
	_ "github.com/clientcache/clientcache/storage/redisstore"  // redis://, rediss://
	_ "github.com/clientcache/clientcache/storage/sqlitestore" // sqlite://
)
