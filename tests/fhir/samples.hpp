// Synthetic records for the FHIR mapping tests: one with every mapped member, one with every member absent, per
// row type. Shared by the unit tests and by the program that writes resources for the FHIR validator.
#pragma once

#include "kareo/types.hpp"

namespace fhir_samples {

inline kareo::PracticeData full_practice() {
  kareo::PracticeData p;
  p.ID = "1";
  p.NPI = "1234567893";
  p.TaxID = "12-3456789";
  p.Active = "True";
  p.PracticeName = "Testpractice Alpha";
  p.Phone = "555-0100";
  p.PhoneExt = "12";
  p.Fax = "555-0101";
  p.Email = "office@example.test";
  p.WebSite = "https://practice.example.test";
  p.PracticeAddressLine1 = "1 Test Street";
  p.PracticeAddressLine2 = "Suite 2";
  p.PracticeCity = "Testville";
  p.PracticeState = "CA";
  p.PracticeZipCode = "90001";
  p.PracticeCountry = "USA";
  return p;
}

inline kareo::ProviderData full_provider() {
  kareo::ProviderData p;
  p.ID = "7";
  p.NationalProviderIdentifier = "1234567893";
  p.Active = "False";
  p.FullName = "Dr. Alex B Testprovider Jr.";
  p.Prefix = "Dr.";
  p.FirstName = "Alex";
  p.MiddleName = "B";
  p.LastName = "Testprovider";
  p.Suffix = "Jr.";
  p.Degree = "MD";
  p.WorkPhone = "555-0200";
  p.WorkPhoneExt = "3";
  p.HomePhone = "555-0201";
  p.MobilePhone = "555-0202";
  p.Pager = "555-0203";
  p.Fax = "555-0204";
  p.EmailAddress = "provider@example.test";
  p.AddressLine1 = "2 Test Street";
  p.City = "Testville";
  p.State = "CA";
  p.ZipCode = "90002";
  p.Country = "USA";
  p.PracticeID = "1";
  return p;
}

inline kareo::ServiceLocationData full_location() {
  kareo::ServiceLocationData l;
  l.ID = "3";
  l.NPI = "1234567893";
  l.Name = "Testlocation Main";
  l.BillingName = "Testlocation Billing";
  l.PlaceOfService = "11";
  l.Phone = "555-0300";
  l.FaxPhone = "555-0301";
  l.AddressLine1 = "3 Test Street";
  l.City = "Testville";
  l.State = "CA";
  l.ZipCode = "90003";
  l.Country = "USA";
  l.PracticeID = "1";
  l.PracticeName = "Testpractice Alpha";
  return l;
}

inline kareo::PatientData full_patient() {
  kareo::PatientData p;
  p.ID = "42";
  p.MedicalRecordNumber = "MRN42";
  p.Prefix = "Ms.";
  p.FirstName = "Alfa";
  p.MiddleName = "C";
  p.LastName = "Testpatient42";
  p.Suffix = "III";
  p.Gender = "Female";
  p.DOB = "5/1/1980 12:00:00 AM";
  p.HomePhone = "555-0400";
  p.HomePhoneExt = "9";
  p.WorkPhone = "555-0401";
  p.MobilePhone = "555-0402";
  p.EmailAddress = "testpatient42@example.test";
  p.AddressLine1 = "4 Test Street";
  p.AddressLine2 = "Apt 5";
  p.City = "Testville";
  p.State = "CA";
  p.ZipCode = "90004";
  p.Country = "USA";
  p.MaritalStatus = "M";
  p.EmergencyName = "Bravo Testcontact";
  p.EmergencyPhone = "555-0403";
  p.EmergencyPhoneExt = "1";
  p.PracticeId = "1";
  p.PracticeName = "Testpractice Alpha";
  p.PrimaryCarePhysicianId = "7";
  p.PrimaryCarePhysicianFullName = "Alex Testprovider";
  return p;
}

inline kareo::AppointmentData full_appointment() {
  kareo::AppointmentData a;
  a.ID = "900";
  a.ConfirmationStatus = "Check-out";
  a.StartDate = "6/1/2025 2:30:00 PM";
  a.EndDate = "6/1/2025 3:00:00 PM";
  a.AppointmentDuration = "30";
  a.Notes = "Bring the test card";
  a.PatientID = "42";
  a.PatientFullName = "Alfa Testpatient42";
  a.ServiceLocationID = "3";
  a.ServiceLocationName = "Testlocation Main";
  a.ResourceID1 = "7";
  a.ResourceTypeID1 = "1";
  a.ResourceName1 = "Alex Testprovider";
  a.ResourceID2 = "55";
  a.ResourceTypeID2 = "2";  // a room: not a provider
  a.ResourceName2 = "Testroom 1";
  a.AppointmentReasonID1 = "4";
  a.AppointmentReason1 = "Test visit";
  a.AppointmentReason2 = "Follow-up";
  return a;
}

}  // namespace fhir_samples
