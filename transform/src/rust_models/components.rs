//! Connected components: which items are joined by links, directly or through others.

/// Union-find with path halving and union by size.
pub struct Components {
    pub parent: Vec<usize>,
    pub size: Vec<usize>,
}

impl Components {
    pub fn new(n: usize) -> Self {
        Components { parent: (0..n).collect(), size: vec![1; n] }
    }

    pub fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    pub fn union(&mut self, a: usize, b: usize) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.size[a] < self.size[b] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b] = a;
        self.size[a] += self.size[b];
    }
}
