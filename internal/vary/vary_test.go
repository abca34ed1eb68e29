package vary

import (
	"net/http"
	"reflect"
	"testing"
)

func TestFields(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  []string
		star  bool
	}{
		{"absent", nil, nil, false},
		{"empty", []string{""}, nil, false},
		{"one", []string{"Accept-Encoding"}, []string{"Accept-Encoding"}, false},
		{"case-insensitive, canonicalised", []string{"accept-encoding, ACCEPT"}, []string{"Accept-Encoding", "Accept"}, false},
		{"duplicates removed", []string{"Accept, accept", "ACCEPT"}, []string{"Accept"}, false},
		{"all lines", []string{"Accept", "Accept-Language,Origin"}, []string{"Accept", "Accept-Language", "Origin"}, false},
		{"OWS and empty members", []string{" , Accept ,\t, "}, []string{"Accept"}, false},
		{"star alone", []string{"*"}, nil, true},
		{"star first", []string{"*, Accept"}, []string{"Accept"}, true},
		{"star last", []string{"Accept, *"}, []string{"Accept"}, true},
		{"star on another line", []string{"Accept", " * "}, []string{"Accept"}, true},
		{"not a token", []string{"Accept, Foo Bar"}, []string{"Accept"}, true},
		{"quoted", []string{`"Accept"`}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for _, l := range tt.lines {
				h.Add("Vary", l)
			}
			got, star := Fields(h)
			if !reflect.DeepEqual(got, tt.want) || star != tt.star {
				t.Fatalf("Fields(%q) = %q, %v; want %q, %v", tt.lines, got, star, tt.want, tt.star)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want string
	}{
		{"nil", nil, ""},
		{"empty", []string{""}, ""},
		{"plain", []string{"gzip"}, "gzip"},
		{"spaces around commas", []string{"gzip ,br,  deflate"}, "gzip, br, deflate"},
		{"tabs", []string{"\tgzip\t,\tbr\t"}, "gzip, br"},
		{"runs of whitespace", []string{"text/html;  q=0.9 \t x"}, "text/html; q=0.9 x"},
		{"lines combined", []string{"gzip", "br"}, "gzip, br"},
		{"lines combined with whitespace", []string{" gzip ", "  br  ,deflate"}, "gzip, br, deflate"},
		{"empty line ignored", []string{"gzip", "", "  ", "br"}, "gzip, br"},
		{"empty members dropped", []string{",,gzip,, ,br,"}, "gzip, br"},
		{"quoted-string kept", []string{`a;  p="x  ,  y" ,b`}, `a; p="x  ,  y", b`},
		{"escaped quote in quoted-string", []string{`a="x\"  ,y"  ,  b`}, `a="x\"  ,y", b`},
		{"escaped backslash ends quote", []string{`a="x\\"  ,  b`}, `a="x\\", b`},
		{"backslash outside quotes is literal", []string{`a\  ,  b`}, `a\, b`},
		{"whitespace before quote", []string{`a   "b  c"   d`}, `a "b  c" d`},
		{"unterminated quote runs to the end", []string{`a, "b  ,  c  `}, `a, "b  ,  c  `},
		{"unterminated quote swallows next line", []string{`a "b `, "  c"}, `a "b ,  c`},
		{"escape at the end of a line takes the joining comma", []string{`"\`, `" `}, `"\,"`},
		{"empty quoted string", []string{`""`}, `""`},
		{"case kept", []string{"GZip"}, "GZip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Normalize(tt.in)
			if got != tt.want {
				t.Fatalf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := Normalize([]string{got}); again != got {
				t.Fatalf("Normalize not idempotent: %q -> %q", got, again)
			}
		})
	}
}
