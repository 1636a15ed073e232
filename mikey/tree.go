package mikey

// TreeOptions controls how the field tree is rendered.
type TreeOptions struct {
	// ShowSecrets prints key and salt bytes of Key data sub-payloads. By
	// default they are replaced by their length and fingerprint.
	ShowSecrets bool
}

// treeBuilder renders payloads into Fields.
type treeBuilder struct {
	raw []byte
	opt TreeOptions
}
