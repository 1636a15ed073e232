package mikey

import "errors"

func (p *KEMACPayload) AppendMarshal(b []byte, next PayloadType) ([]byte, error) {
	return b, errors.New("todo")
}
func (p *KEMACPayload) tree(t *treeBuilder) *Field { return nil }
func (p *PKEPayload) AppendMarshal(b []byte, next PayloadType) ([]byte, error) {
	return b, errors.New("todo")
}
func (p *PKEPayload) tree(t *treeBuilder) *Field { return nil }
func (p *DHPayload) AppendMarshal(b []byte, next PayloadType) ([]byte, error) {
	return b, errors.New("todo")
}
func (p *DHPayload) tree(t *treeBuilder) *Field { return nil }
func (p *SIGNPayload) AppendMarshal(b []byte, next PayloadType) ([]byte, error) {
	return b, errors.New("todo")
}
func (p *SIGNPayload) tree(t *treeBuilder) *Field { return nil }
func (p *TPayload) AppendMarshal(b []byte, next PayloadType) ([]byte, error) {
	return b, errors.New("todo")
}
func (p *TPayload) tree(t *treeBuilder) *Field { return nil }
func (p *IDPayload) AppendMarshal(b []byte, next PayloadType) ([]byte, error) {
	return b, errors.New("todo")
}
func (p *IDPayload) tree(t *treeBuilder) *Field { return nil }
func (p *CERTPayload) AppendMarshal(b []byte, next PayloadType) ([]byte, error) {
	return b, errors.New("todo")
}
func (p *CERTPayload) tree(t *treeBuilder) *Field { return nil }
func (p *CHASHPayload) AppendMarshal(b []byte, next PayloadType) ([]byte, error) {
	return b, errors.New("todo")
}
func (p *CHASHPayload) tree(t *treeBuilder) *Field { return nil }
func (p *VPayload) AppendMarshal(b []byte, next PayloadType) ([]byte, error) {
	return b, errors.New("todo")
}
func (p *VPayload) tree(t *treeBuilder) *Field { return nil }
func (p *SPPayload) AppendMarshal(b []byte, next PayloadType) ([]byte, error) {
	return b, errors.New("todo")
}
func (p *SPPayload) tree(t *treeBuilder) *Field { return nil }
func (p *RANDPayload) AppendMarshal(b []byte, next PayloadType) ([]byte, error) {
	return b, errors.New("todo")
}
func (p *RANDPayload) tree(t *treeBuilder) *Field { return nil }
func (p *ERRPayload) AppendMarshal(b []byte, next PayloadType) ([]byte, error) {
	return b, errors.New("todo")
}
func (p *ERRPayload) tree(t *treeBuilder) *Field { return nil }
func (p *GenExtPayload) AppendMarshal(b []byte, next PayloadType) ([]byte, error) {
	return b, errors.New("todo")
}
func (p *GenExtPayload) tree(t *treeBuilder) *Field { return nil }
func (p *TRPayload) AppendMarshal(b []byte, next PayloadType) ([]byte, error) {
	return b, errors.New("todo")
}
func (p *TRPayload) tree(t *treeBuilder) *Field { return nil }
func (p *IDRPayload) AppendMarshal(b []byte, next PayloadType) ([]byte, error) {
	return b, errors.New("todo")
}
func (p *IDRPayload) tree(t *treeBuilder) *Field { return nil }
func (p *RANDRPayload) AppendMarshal(b []byte, next PayloadType) ([]byte, error) {
	return b, errors.New("todo")
}
func (p *RANDRPayload) tree(t *treeBuilder) *Field { return nil }
func (p *TPPayload) AppendMarshal(b []byte, next PayloadType) ([]byte, error) {
	return b, errors.New("todo")
}
func (p *TPPayload) tree(t *treeBuilder) *Field { return nil }
func (p *TICKETPayload) AppendMarshal(b []byte, next PayloadType) ([]byte, error) {
	return b, errors.New("todo")
}
func (p *TICKETPayload) tree(t *treeBuilder) *Field { return nil }
func (p *SAKKEPayload) AppendMarshal(b []byte, next PayloadType) ([]byte, error) {
	return b, errors.New("todo")
}
func (p *SAKKEPayload) tree(t *treeBuilder) *Field { return nil }
