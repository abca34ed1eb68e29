package redisstore

import (
	"github.com/clientcache/clientcache/storage"
	"github.com/redis/go-redis/v9"
)

// For the external tests: what storage.Open reads from a URL, and what only
// the store type knows.
type URLConfig = urlConfig

var ParseURL = parseURL

// Prefix returns the prefix of every Redis key of s, a storage of a Backend
// of this package, such as "http_cache:responses:".
func Prefix(s storage.Storage) string { return s.(*store).prefix }

// Client returns the go-redis client s uses.
func Client(s storage.Storage) redis.UniversalClient { return s.(*store).conn.client }
