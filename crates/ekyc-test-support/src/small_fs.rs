//! A real, small filesystem for fault tests: a tmpfs of a few MiB that
//! can be filled to the last byte and freed again.

use std::path::Path;

/// A small tmpfs mounted over a temporary folder, unmounted when dropped;
/// `None` (with a message) when not root, since only root may mount.
pub struct SmallFilesystem {
    dir: tempfile::TempDir,
}

impl SmallFilesystem {
    /// A tmpfs of `bytes`; `None` (the test skipped) when not root.
    pub fn mount(bytes: u64) -> Option<Self> {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            eprintln!("skipped: mounting a small filesystem needs root");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={bytes}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .unwrap();
        assert!(status.success(), "mount tmpfs");
        Some(Self { dir })
    }

    /// Where it is mounted.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Takes every free byte with a filler file.
    pub fn fill(&self) {
        use std::io::Write;
        let mut filler = std::fs::File::create(self.path().join("filler")).unwrap();
        let block = vec![0u8; 4096];
        while filler.write_all(&block).is_ok() {}
        let _ = filler.write_all(&[0]);
        let _ = filler.sync_all();
    }

    /// Gives back the space [`SmallFilesystem::fill`] took.
    pub fn free(&self) {
        std::fs::remove_file(self.path().join("filler")).unwrap();
    }
}

impl Drop for SmallFilesystem {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}
