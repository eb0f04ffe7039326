export {
  FakeDriver,
  type FakeFailStep,
  FakeWorld,
  fakeDriverConfig,
  fakeDriverFactory,
} from './fake-driver.js';
