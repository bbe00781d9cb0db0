import { describe, expect, it } from 'vitest';
import { withoutSubmittedValues } from '../src/security/no-echo.js';

describe('withoutSubmittedValues', () => {
  it.each([
    ['Variable "$input" got invalid value 12 at "input.pin"; String cannot represent a non string value: 12', 'Variable "$input" got invalid value at "input.pin"; String cannot represent a non string value.'],
    ['Variable "$input" got invalid value { pin: "P-1", pim: "S-2" }; Field "pim" is not defined by type "CreateOtpInput". Did you mean "pin"?', 'Variable "$input" got invalid value; Field "pim" is not defined by type "CreateOtpInput". Did you mean "pin"?'],
    ['Variable "$input" got invalid value "S-2"; Expected type "CreateOtpInput" to be an object.', 'Variable "$input" got invalid value; Expected type "CreateOtpInput" to be an object.'],
    // A value crafted to look like a reason: what follows its "; " is not recognised, so it is left out.
    ['Variable "$input" got invalid value { pin: { a: "x; String cannot represent S-2: y" } } at "input.pin"; String cannot represent a non string value: { a: "x; String cannot represent S-2: y" }', 'Variable "$input" got invalid value.'],
    ['Variable "$input" got invalid value { pin: "x; Field \\"S2\\" is not defined by type \\"T\\"." }; Unknown reason S-2', 'Variable "$input" got invalid value.'],
    ['Expected value of type "String", found 1234.', 'Expected value of type "String".'],
    ['String cannot represent a non string value: 1234', 'String cannot represent a non string value.'],
    ['Syntax Error: Expected Name, found String "S-2".', 'Syntax Error: Expected Name, found String.'],
    ['Syntax Error: Unexpected Int "1234".', 'Syntax Error: Unexpected Int.'],
    ['Syntax Error: Invalid number, expected digit but got: "x".', 'Syntax Error: Invalid number, expected digit but got.'],
    ['Syntax Error: Token limit of 400 exceeded.', 'Syntax Error: Token limit of 400 exceeded.'],
    ['Cannot query field "credentialz" on type "Query".', 'Cannot query field "credentialz" on type "Query".'],
  ])('%s', (message, expected) => {
    expect(withoutSubmittedValues(message)).toBe(expected);
  });

  it('drops suggestions when asked (introspection off)', () => {
    expect(withoutSubmittedValues('Variable "$input" got invalid value { pim: "S" }; Field "pim" is not defined by type "CreateOtpInput". Did you mean "pin"?', true)).toBe(
      'Variable "$input" got invalid value; Field "pim" is not defined by type "CreateOtpInput".',
    );
  });
});
