module github.com/clientcache/clientcache

go 1.26
