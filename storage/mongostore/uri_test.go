package mongostore

import "testing"

func TestSplitURI(t *testing.T) {
	for _, tc := range []struct {
		in, conn, db, hosts string
		bad                 bool
	}{
		{in: "mongodb://h:1/", conn: "mongodb://h:1/", hosts: "h:1"},
		{in: "mongodb://h:1", conn: "mongodb://h:1/", hosts: "h:1"},
		{in: "mongodb://h:1/cache", conn: "mongodb://h:1/", db: "cache", hosts: "h:1"},
		{in: "MongoDB://h/cache?w=1&x=%2F", conn: "mongodb://h/?w=1&x=%2F", db: "cache", hosts: "h"},
		{in: "mongodb://h?w=1", conn: "mongodb://h/?w=1", hosts: "h"},
		{in: "mongodb://u:p%40ss@a:1,b:2/my%20db?replicaSet=rs", conn: "mongodb://u:p%40ss@a:1,b:2/?replicaSet=rs", db: "my db", hosts: "a:1,b:2"},
		{in: "mongodb+srv://u:p@cluster.example.com/c", conn: "mongodb+srv://u:p@cluster.example.com/", db: "c", hosts: "cluster.example.com"},
		{in: "mongodb://[::1]:27017/c", conn: "mongodb://[::1]:27017/", db: "c", hosts: "[::1]:27017"},
		{in: "http://h/", bad: true},
		{in: "h:27017", bad: true},
		{in: "mongodb:///c", bad: true},
		{in: "mongodb://u:p@/c", bad: true},
		{in: "mongodb://h/%zz", bad: true},
	} {
		conn, db, hosts, err := splitURI(tc.in)
		if tc.bad {
			if err == nil {
				t.Errorf("splitURI(%q) = (%q, %q, %q), want an error", tc.in, conn, db, hosts)
			}
			continue
		}
		if err != nil || conn != tc.conn || db != tc.db || hosts != tc.hosts {
			t.Errorf("splitURI(%q) = (%q, %q, %q, %v), want (%q, %q, %q, nil)", tc.in, conn, db, hosts, err, tc.conn, tc.db, tc.hosts)
		}
	}
}

func TestCheckCacheName(t *testing.T) {
	for name, ok := range map[string]bool{
		"http_cache": true, "my-cache_2": true, "üñí": true,
		"a.b": false, "a/b": false, `a\b`: false, "a b": false, `a"b`: false, "a$b": false, "a\x00b": false,
		string(make([]byte, 64)): false,
	} {
		if err := checkCacheName(name); (err == nil) != ok {
			t.Errorf("checkCacheName(%q) = %v, want ok=%v", name, err, ok)
		}
	}
}
