//! Validation of a brand pack: every rule is checked and every broken one is reported.
//!
//! The validator never stops at the first problem (except when `brand.toml` cannot be parsed
//! at all), so a brand owner fixes a pack in one round. It only reads the pack folder and
//! writes nothing.

mod assets;
mod contrast;
mod fields;
mod strings;

use std::fs;
use std::io;
use std::path::Path;

use crate::pack::{Pack, PackError, PackFiles};
use crate::problem::Problem;
use crate::schema::{BrandToml, known_keys};

pub use strings::REQUIRED_KEYS;

/// Loads and checks the pack `brands_dir/<id>`; returns it only when no rule is broken.
pub fn validate_pack(brands_dir: &Path, id: &str) -> Result<Pack, PackError> {
    if id.is_empty() || id == "." || id == ".." || id.contains(['/', '\\']) {
        return Err(PackError::BadId { id: id.to_owned() });
    }
    let files = PackFiles::new(brands_dir, id);
    if !files.dir.is_dir() {
        return Err(PackError::NotFound {
            id: id.to_owned(),
            brands_dir: brands_dir.to_path_buf(),
            available: list_brands(brands_dir),
        });
    }

    let mut problems = Vec::new();
    let brand = load_brand_toml(&files, &mut problems);
    let strings = strings::load(&files, &mut problems);

    let Some(brand) = brand else {
        return Err(PackError::Invalid { problems });
    };
    fields::check(&brand, id, &files, &mut problems);
    contrast::check(&brand.colors, &files, &mut problems);
    let assets = assets::load(&brand.assets, &files, &mut problems);
    strings::check(
        &brand.strings.default_locale,
        &strings,
        &files,
        &mut problems,
    );

    match assets {
        Some((logo_png, app_icon)) if problems.is_empty() => Ok(Pack {
            files,
            brand,
            strings,
            logo_png,
            app_icon,
        }),
        _ => Err(PackError::Invalid { problems }),
    }
}

/// Names of the pack folders in `brands_dir`, sorted.
pub fn list_brands(brands_dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(brands_dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|entry| entry.path().join("brand.toml").is_file())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn load_brand_toml(files: &PackFiles, problems: &mut Vec<Problem>) -> Option<BrandToml> {
    let label = files.label("brand.toml");
    let text = match fs::read_to_string(files.path("brand.toml")) {
        Ok(text) => text,
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            problems.push(Problem::new(
                label,
                "",
                "is missing",
                "create brand.toml in the pack folder (see branding/README.md)",
            ));
            return None;
        }
        Err(error) => {
            problems.push(Problem::new(
                label,
                "",
                format!("could not be read: {error}"),
                "check the file's permissions and that it is UTF-8",
            ));
            return None;
        }
    };

    let mut unknown = Vec::new();
    let parsed: Result<BrandToml, toml::de::Error> =
        serde_ignored::deserialize(toml::Deserializer::new(&text), |path| {
            unknown.push(path.to_string())
        });

    for key in unknown {
        problems.push(unknown_key_problem(&label, key));
    }
    match parsed {
        Ok(brand) => Some(brand),
        Err(error) => {
            let line = error
                .span()
                .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
            let at = line.map(|n| format!(" at line {n}")).unwrap_or_default();
            problems.push(Problem::new(
                label,
                "",
                format!("is not a valid brand file{at}: {}", error.message()),
                "fix the TOML so every key of the schema is present with the right type",
            ));
            None
        }
    }
}

fn unknown_key_problem(label: &str, key: String) -> Problem {
    let parent = key.rsplit_once('.').map_or("", |(parent, _)| parent);
    let suggestion = known_keys()
        .into_iter()
        .filter(|known| known.rsplit_once('.').map_or("", |(p, _)| p) == parent)
        .map(|known| (strsim::levenshtein(&known, &key), known))
        .filter(|(distance, _)| *distance <= 3)
        .min();
    let fix = match suggestion {
        Some((_, known)) => format!("rename it to `{known}` or remove it"),
        None => "remove it; the brand.toml schema has no such key".to_owned(),
    };
    Problem::new(label, key, "is not a known key", fix)
}
