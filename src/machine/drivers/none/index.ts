export { NoneDriver, noneDriverConfig, noneDriverFactory, parseEngineUrl } from './none-driver.js';
