package dynamostore

import "github.com/clientcache/clientcache/storage"

// For the external tests: what storage.Open does with a dynamodb:// URL's
// endpoint and region, and what only the store type knows.
var OpenEndpoint = openEndpoint

// Table returns the name of the DynamoDB table that holds s, a storage of a
// Backend of this package.
func Table(s storage.Storage) string { return s.(*store).t.name }
