package redisstore_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clientcache/clientcache/storage/redisstore"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		url       string
		addrs     []string // the Cluster's seeds; nil for a single node
		addr      string   // the single node's address
		db        int
		cacheName string
		tls       bool
		check     func(t *testing.T, cfg *redisstore.URLConfig)
	}{
		{url: "redis://localhost:6379", addr: "localhost:6379"},
		{url: "redis://localhost:6379/2?cache_name=myapp", addr: "localhost:6379", db: 2, cacheName: "myapp"},
		{url: "rediss://user:pw@example.com:6380/0?cache_name=a%3Ab", addr: "example.com:6380", cacheName: "a:b", tls: true,
			check: func(t *testing.T, cfg *redisstore.URLConfig) {
				if cfg.Node.Username != "user" || cfg.Node.Password != "pw" {
					t.Errorf("credentials = %q, %q, want user, pw", cfg.Node.Username, cfg.Node.Password)
				}
			}},
		{url: "redis://h:1/0?dial_timeout=2s&pool_size=7", addr: "h:1",
			check: func(t *testing.T, cfg *redisstore.URLConfig) {
				if cfg.Node.DialTimeout != 2*time.Second || cfg.Node.PoolSize != 7 {
					t.Errorf("DialTimeout, PoolSize = %v, %d, want 2s, 7", cfg.Node.DialTimeout, cfg.Node.PoolSize)
				}
			}},
		{url: "redis://h:1?addr=h:2&addr=h:3&cache_name=c", addrs: []string{"h:1", "h:2", "h:3"}, cacheName: "c"},
		{url: "redis://h:1?addr=h:2", addrs: []string{"h:1", "h:2"}},
		{url: "rediss://h:1?addr=h:2&read_timeout=3s", addrs: []string{"h:1", "h:2"}, tls: true,
			check: func(t *testing.T, cfg *redisstore.URLConfig) {
				if cfg.Cluster.ReadTimeout != 3*time.Second {
					t.Errorf("ReadTimeout = %v, want 3s", cfg.Cluster.ReadTimeout)
				}
			}},
		{url: "redis://h:1?cluster=true", addrs: []string{"h:1"}},
		{url: "redis://h:1/3?cluster=false", addr: "h:1", db: 3},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			cfg, err := redisstore.ParseURL(tc.url)
			if err != nil {
				t.Fatalf("ParseURL: %v", err)
			}
			if cfg.Store.CacheName != tc.cacheName {
				t.Errorf("CacheName = %q, want %q", cfg.Store.CacheName, tc.cacheName)
			}
			if tc.addrs != nil {
				if cfg.Node != nil || cfg.Cluster == nil {
					t.Fatalf("got Node %v, Cluster %v; want a Cluster", cfg.Node, cfg.Cluster)
				}
				if !slices.Equal(cfg.Cluster.Addrs, tc.addrs) {
					t.Errorf("Cluster.Addrs = %q, want %q", cfg.Cluster.Addrs, tc.addrs)
				}
				if (cfg.Cluster.TLSConfig != nil) != tc.tls {
					t.Errorf("TLS = %v, want %v", cfg.Cluster.TLSConfig != nil, tc.tls)
				}
			} else {
				if cfg.Node == nil || cfg.Cluster != nil {
					t.Fatalf("got Node %v, Cluster %v; want a single node", cfg.Node, cfg.Cluster)
				}
				if cfg.Node.Addr != tc.addr || cfg.Node.DB != tc.db {
					t.Errorf("Addr, DB = %q, %d, want %q, %d", cfg.Node.Addr, cfg.Node.DB, tc.addr, tc.db)
				}
				if (cfg.Node.TLSConfig != nil) != tc.tls {
					t.Errorf("TLS = %v, want %v", cfg.Node.TLSConfig != nil, tc.tls)
				}
			}
			if tc.check != nil {
				tc.check(t, cfg)
			}
		})
	}
}

func TestParseURLErrors(t *testing.T) {
	for url, want := range map[string]string{
		"redis://h:1?bogus=1":                            "bogus",
		"redis://h:1?addr=h:2&bogus=1":                   "bogus",
		"redis://h:1?cache_name=":                        "cache_name",
		"redis://h:1?cache_name=a&cache_name=b":          "cache_name",
		"redis://h:1?cluster=maybe":                      "cluster",
		"redis://h:1?addr=nonsense":                      "addr",
		"http://h:1":                                     "scheme",
		"redis://u:secret@h:1?bogus=1":                   "bogus",
		"redis://u:secret@h:1/x":                         "database",
		"redis://u:secret@h:1?cache_name=a&cache_name=b": "cache_name",
		"redis://u:secret@h :1":                          "invalid",
	} {
		t.Run(url, func(t *testing.T) {
			cfg, err := redisstore.ParseURL(url)
			if err == nil {
				t.Fatalf("ParseURL = %+v, want an error", cfg)
			}
			if !strings.Contains(strings.ToLower(err.Error()), want) {
				t.Errorf("error %q does not mention %q", err, want)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error %q repeats the password", err)
			}
		})
	}
}
