package analysis

// openSAKKE opens a MIKEY-SAKKE message (RFC 6509) with the supplied RSK
// and KMS keys. Caller holds a.mu.
func (a *Analyzer) openSAKKE(ex *exchange) {
}
