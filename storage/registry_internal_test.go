package storage

import (
	"errors"
	"testing"
)

// withoutStores empties the registry until the test ends, as in a program
// that imports no store package.
func withoutStores(t *testing.T) {
	registry.Lock()
	saved, savedForms := registry.m, registry.forms
	registry.m, registry.forms = map[string]Opener{}, map[string]URLForm{}
	registry.Unlock()
	t.Cleanup(func() {
		registry.Lock()
		registry.m, registry.forms = saved, savedForms
		registry.Unlock()
	})
}

// TestOpenWithoutImport opens file:// and memory:// URLs, whose packages the
// test binary imports, as a program that forgot the blank import would.
func TestOpenWithoutImport(t *testing.T) {
	withoutStores(t)
	for raw, want := range map[string]string{
		"file:///var/cache/app": `storage: no store registered for scheme "file": import _ "github.com/clientcache/clientcache/storage/filestore"`,
		"memory://":             `storage: no store registered for scheme "memory": import _ "github.com/clientcache/clientcache/storage/memstore"`,
		"ftp://u:s3cr3tPW@h/":   `storage: no store registered for scheme "ftp" in "ftp://u:xxxxx@h/"; registered schemes: (none: import a store package)`,
	} {
		b, err := Open(t.Context(), raw)
		if err == nil {
			b.Close()
			t.Errorf("Open(%q) succeeded", raw)
			continue
		}
		if err.Error() != want {
			t.Errorf("Open(%q) error\n%s\nwant\n%s", raw, err, want)
		}
		if !errors.Is(err, ErrInvalidURL) {
			t.Errorf("Open(%q) error %q is not an ErrInvalidURL", raw, err)
		}
	}
}
