//! Who the people of `../shared/data/faces` are: the face benchmarks
//! report LFW and the East-Asian sets apart, because a threshold measured
//! on one population need not hold on another.

/// The source, and so the population, of an identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Population {
    /// Labeled Faces in the Wild (`faces/lfw/`).
    Lfw,
    /// CASIA-FaceV5, East-Asian faces (`faces/east_asian/casia/`).
    Casia,
    /// RMFD photos, East-Asian faces (`faces/east_asian/rmfd/`).
    Rmfd,
}

impl Population {
    /// The population of a `labels.csv` identity (`lfw:…`, `casia:…`;
    /// anything else is RMFD).
    pub fn of(identity: &str) -> Self {
        match identity.split(':').next() {
            Some("lfw") => Self::Lfw,
            Some("casia") => Self::Casia,
            _ => Self::Rmfd,
        }
    }

    /// CASIA and RMFD, which the East-Asian figures pool.
    pub fn east_asian(self) -> bool {
        self != Self::Lfw
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_are_sorted_by_their_prefix() {
        assert_eq!(Population::of("lfw:George_W_Bush"), Population::Lfw);
        assert_eq!(Population::of("casia:021"), Population::Casia);
        assert_eq!(Population::of("rmfd:zhangsan"), Population::Rmfd);
        assert_eq!(Population::of("lfwish"), Population::Rmfd);
        assert!(!Population::Lfw.east_asian());
        assert!(Population::Casia.east_asian() && Population::Rmfd.east_asian());
    }
}
