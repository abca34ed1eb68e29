package credentials

import "testing"

func TestDefaults(t *testing.T) {
	l, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{
		"Authorization", "Proxy-Authorization", "Cookie", "X-Api-Key", "api_key", "apikey", "API-KEY",
		"access_token", "X-Auth-Token", "private_token", "refresh_token", "jwt", "client_secret",
		"password", "passwd", "X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token",
		"X-Goog-Signature", "Signature", "sig", "key", "auth", "session_id", "PHPSESSID", "JSESSIONID",
	} {
		if !l.Contains(name) {
			t.Errorf("%q is not a credential", name)
		}
	}
	for _, name := range []string{"Accept", "Accept-Language", "User-Agent", "id", "page", "q", "X-Amz-Date", "keyword", "monkey", "Sec-WebSocket-Key"} {
		if l.Contains(name) {
			t.Errorf("%q is a credential", name)
		}
	}
}
