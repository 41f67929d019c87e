import { expect } from 'chai';
import { parseEnvLines } from '../../../bench/cephServer.ts';

describe('bench/cephServer parseEnvLines', () => {
  it('keeps KEY=VALUE lines, values may hold = and :', () => {
    expect(parseEnvLines('ceph.sh: up\nCEPH_ENDPOINT=http://127.0.0.1:7480\nCEPH_ROLE_ARN=arn:aws:iam::210987654321:role/x\nA_B=c=d\n')).to.deep.equal({
      CEPH_ENDPOINT: 'http://127.0.0.1:7480',
      CEPH_ROLE_ARN: 'arn:aws:iam::210987654321:role/x',
      A_B: 'c=d',
    });
  });
});
