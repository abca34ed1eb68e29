package main

import (
	"os"
	"strings"
	"testing"

	"github.com/clientcache/clientcache/storage"
)

// The URL forms the help, the README and the package documentation show
// come from the stores' registrations: every registered scheme has its form
// in the help, and the documents show each form as registered.
func TestURLFormsComeFromTheRegistrations(t *testing.T) {
	help := strings.Join(cacheURLForms(), "\n")
	forms := storage.URLForms()
	schemes := storage.Schemes()
	if len(forms) != len(schemes) || len(schemes) < 8 {
		t.Fatalf("%d forms for %d schemes (%v): every store of the project registers its schemes with a form", len(forms), len(schemes), schemes)
	}
	for i, s := range schemes {
		if !strings.HasPrefix(forms[i].Form, s+":") || !strings.Contains(help, forms[i].Form) {
			t.Errorf("scheme %s: form %q missing from the help:\n%s", s, forms[i].Form, help)
		}
	}
	for _, doc := range []string{"../../README.md", "../../doc.go"} {
		text, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range forms {
			if !strings.Contains(string(text), f.Form) {
				t.Errorf("%s does not show the form %s registers: %s", doc, strings.SplitN(f.Form, ":", 2)[0], f.Form)
			}
		}
	}
}
