package sakke

import (
	"hash"
	"math/big"
)

// HashToIntegerRange hashes the octet string s to an integer in [0, n-1]
// as RFC 6508 §5.1 specifies: A = hash(s), h_0 = zero string,
// h_i = hash(h_(i-1)), v_i = hash(h_i || A) for i = 1..l with
// l = Ceiling(lg(n)/hashlen), v = (v_1 || ... || v_l) mod n.
// n must be at least 2.
func HashToIntegerRange(s []byte, n *big.Int, newHash func() hash.Hash) *big.Int {
	return hashToIntegerRange(s, n, newHash, nil)
}

// hashTrace records the intermediate values of §5.1 for tests.
type hashTrace struct {
	A      []byte
	H, V   [][]byte // h_1..h_l and v_1..v_l
	Blocks int      // l
}

func hashToIntegerRange(s []byte, n *big.Int, newHash func() hash.Hash, tr *hashTrace) *big.Int {
	hf := newHash()
	hashLen := hf.Size()
	hashBits := 8 * hashLen
	// l = Ceiling(lg(n)/hashlen). lg(n) <= BitLen(n) with equality only for
	// powers of two, where lg(n) = BitLen(n)-1.
	lg := n.BitLen()
	if isPowerOfTwo(n) {
		lg--
	}
	l := (lg + hashBits - 1) / hashBits
	if l < 1 {
		l = 1
	}
	hf.Write(s)
	a := hf.Sum(nil)
	h := make([]byte, hashLen) // h_0
	vp := make([]byte, 0, l*hashLen)
	for i := 1; i <= l; i++ {
		hf.Reset()
		hf.Write(h)
		h = hf.Sum(h[:0:0])
		hf.Reset()
		hf.Write(h)
		hf.Write(a)
		vi := hf.Sum(nil)
		vp = append(vp, vi...)
		if tr != nil {
			tr.H = append(tr.H, h)
			tr.V = append(tr.V, vi)
		}
	}
	if tr != nil {
		tr.A = a
		tr.Blocks = l
	}
	v := new(big.Int).SetBytes(vp)
	return v.Mod(v, n)
}

func isPowerOfTwo(n *big.Int) bool {
	return n.Sign() > 0 && n.TrailingZeroBits() == uint(n.BitLen()-1)
}
