package storage_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/clientcache/clientcache/storage"
)

// TestOpenNamesThePackageToImport opens URLs of the project's stores that
// this test binary does not import (it imports only filestore and memstore):
// the error names the package whose blank import registers the scheme.
func TestOpenNamesThePackageToImport(t *testing.T) {
	const mod = "github.com/clientcache/clientcache/storage/"
	for raw, want := range map[string]string{
		"sqlite:///tmp/x.sqlite":                                       `storage: no store registered for scheme "sqlite": import _ "` + mod + `sqlitestore"`,
		"SQLite:relative/x.sqlite":                                     `storage: no store registered for scheme "sqlite": import _ "` + mod + `sqlitestore"`,
		"redis://user:" + pw + "@localhost:6379/0":                     `storage: no store registered for scheme "redis": import _ "` + mod + `redisstore"`,
		"rediss://:" + pw + "@h:6380":                                  `storage: no store registered for scheme "rediss": import _ "` + mod + `redisstore"`,
		"mongodb://u:" + pw + "@h/db":                                  `storage: no store registered for scheme "mongodb": import _ "` + mod + `mongostore"`,
		"mongodb+srv://u:" + pw + "@cluster.example/db":                `storage: no store registered for scheme "mongodb+srv": import _ "` + mod + `mongostore"`,
		"dynamodb://table?endpoint=http://u:" + pw + "@127.0.0.1:8000": `storage: no store registered for scheme "dynamodb": import _ "` + mod + `dynamostore"`,
	} {
		b, err := storage.Open(t.Context(), raw)
		if err == nil {
			b.Close()
			t.Errorf("Open(%q) succeeded", raw)
			continue
		}
		if err.Error() != want {
			t.Errorf("Open(%q) error\n%s\nwant\n%s", raw, err, want)
		}
		if !errors.Is(err, storage.ErrInvalidURL) {
			t.Errorf("Open(%q) error %q is not an ErrInvalidURL", raw, err)
		}
	}
}

// TestOpenListsRegisteredSchemes opens a URL of a scheme no store of the
// project has: the error lists the registered schemes and hides the password.
func TestOpenListsRegisteredSchemes(t *testing.T) {
	raw := "ftp://user:" + pw + "@h/x"
	_, err := storage.Open(t.Context(), raw)
	want := `storage: no store registered for scheme "ftp" in "ftp://user:xxxxx@h/x"; registered schemes: file://, memory://`
	if err == nil || err.Error() != want {
		t.Fatalf("Open(%q) error\n%v\nwant\n%s", raw, err, want)
	}
	if !errors.Is(err, storage.ErrInvalidURL) {
		t.Errorf("Open(%q) error %q is not an ErrInvalidURL", raw, err)
	}
	if strings.Contains(err.Error(), pw) {
		t.Errorf("Open(%q) error %q shows the password", raw, err)
	}
}
