package mongostore

// OpenURI is what storage.Open does with a mongodb:// URL, with Options, for
// the external tests.
var OpenURI = openURI
