//! Files a job draws from its finished results (its charts), handed to the
//! job by the layer above it ([`crate::api`]). The jobs that simulate
//! (runs, comparisons) name the files as pending in their records, call the
//! drawing once their tables are written and record what it drew; they do
//! not depend on the code that draws (docs/ARCHITECTURE.md, "Layers").

use std::fmt;
use std::path::Path;
use std::sync::Arc;

/// Why a drawing failed: the drawing code's own error, kept whole (the
/// API turns a chart error back into its type).
pub type DrawError = Box<dyn std::error::Error + Send + Sync>;

type DrawFn = dyn Fn(&Path) -> Result<(), DrawError> + Send + Sync;

/// What a job draws into its folder once its tables are written.
#[derive(Clone)]
pub struct Drawing {
    files: Vec<String>,
    draw: Arc<DrawFn>,
}

impl Drawing {
    /// A drawing that writes `files` (relative to the folder it is given)
    /// with `draw`.
    pub fn new<E>(
        files: Vec<String>,
        draw: impl Fn(&Path) -> Result<(), E> + Send + Sync + 'static,
    ) -> Drawing
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        Drawing {
            files,
            draw: Arc::new(move |dir: &Path| draw(dir).map_err(|e| Box::new(e) as DrawError)),
        }
    }

    /// The files it writes, relative to the folder.
    pub fn files(&self) -> &[String] {
        &self.files
    }

    /// Draws into `dir` from the results there.
    pub fn draw(&self, dir: &Path) -> Result<(), DrawError> {
        (self.draw)(dir)
    }
}

impl fmt::Debug for Drawing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Drawing")
            .field("files", &self.files)
            .finish_non_exhaustive()
    }
}
