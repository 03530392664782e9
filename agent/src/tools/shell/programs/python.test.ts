import { describeVetTable } from './vet-table.test-support.js';

describeVetTable('python', [
  ['python --version', 'ok'],
  ['python -u src/app.py', 'ok'],
  ['python src/app.py --out=reports/x.json', 'ok'],
  ['python -m pytest -q src', 'ok'],
  ['python /tmp/x.py', 'path_outside'],
  ['python src/app.py ../secret', 'path_outside'],
  ['python src/app.py --in=/etc/passwd', 'path_outside'],
  ['python -c print(1)', 'option'],
  ['python -m http.server', 'option'],
  ['python -', 'option'],
  ['python -X importtime app.py', 'option'],
  ['python', 'usage'],
  ['python -Z app.py', 'unknown_option'],
]);
