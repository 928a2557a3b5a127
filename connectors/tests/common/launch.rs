//! The one builder behind every service test: a loopback listener, a temporary data folder, and
//! a fresh PostgreSQL database when `WALKOUT_TEST_POSTGRES_URL` is set (SQLite in the data
//! folder otherwise). The listener is bound first because the service reaches its embedded
//! sandbox PSP at its own `listen` address.

use std::net::SocketAddr;

use walkout_connectors::config::Config;
use walkout_connectors::server::AppState;

use super::database::TestDatabase;

/// A service state that is built but not yet serving, with everything it lives on.
pub struct Launch {
    pub state: AppState,
    pub listener: tokio::net::TcpListener,
    pub address: SocketAddr,
    pub data_dir: tempfile::TempDir,
    /// The PostgreSQL database of this service; `None` on SQLite.
    pub database: Option<TestDatabase>,
}

impl Launch {
    /// Binds the listener, prepares the data folder and the database, applies `configure`,
    /// then opens the data and builds the state. Panics with the cause when a step fails.
    pub async fn prepare(configure: impl FnOnce(&mut Config)) -> Launch {
        let Parts {
            listener,
            address,
            data_dir,
            database,
            mut config,
        } = Parts::new().await;
        configure(&mut config);

        let (credentials, db) = walkout_connectors::cli::open_data(&config)
            .await
            .unwrap_or_else(|error| panic!("the service data does not open: {error:#}"));
        let state = AppState::new(config, db, credentials)
            .await
            .unwrap_or_else(|error| panic!("the service state does not build: {error:#}"));
        Launch {
            state,
            listener,
            address,
            data_dir,
            database,
        }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }
}

/// The listener, data folder, database and the configuration that points at them.
pub struct Parts {
    pub listener: tokio::net::TcpListener,
    pub address: SocketAddr,
    pub data_dir: tempfile::TempDir,
    pub database: Option<TestDatabase>,
    pub config: Config,
}

impl Parts {
    /// Prepares the parts of a service without opening its data, for tests that open the data
    /// themselves (to check a failure, for instance).
    pub async fn new() -> Parts {
        let data_dir = tempfile::tempdir().expect("temporary data folder");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("loopback port");
        let address = listener.local_addr().expect("local address");
        let database = TestDatabase::from_environment().await;
        let config = Config {
            listen: address,
            data_dir: data_dir.path().to_path_buf(),
            database_url: database.as_ref().map(|database| database.url.clone()),
            ..Config::default()
        };
        Parts {
            listener,
            address,
            data_dir,
            database,
            config,
        }
    }
}
