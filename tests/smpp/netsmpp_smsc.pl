#!/usr/bin/perl
# An SMSC written with Net::SMPP (libnet-smpp-perl), not by us: the peer our SMPP client is
# tested against. Prints "PID <pid>" and "PORT <n>" once listening, then one line per event. It answers binds
# and enquire_links, gives every submit a text id and a delivery receipt (TLVs and text), and
# drops the connection instead of answering the 3rd submit (its receipt follows on the next bind).
use strict;
use warnings;
use Net::SMPP;
use IO::Socket::INET;

$| = 1;
my $listener = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 5,
                                     ReuseAddr => 1) or die "listen: $!";
print "PID $$\n";
print "PORT ", $listener->sockport, "\n";
my $submits = 0;
my @owed;  # receipts of submits whose answer was dropped

while (my $sock = $listener->accept) {
  serve($sock) ;
}

sub receipt {
  my ($smpp, $id, $handset) = @_;
  $smpp->deliver_sm(source_addr => $handset, destination_addr => '0312345678',
                    esm_class => 0x04,
                    short_message => "id:$id sub:001 dlvrd:001 submit date:2601010900 "
                                     . "done date:2601010901 stat:DELIVRD err:000 text:",
                    receipted_message_id => "$id\0", message_state => pack('C', 2),
                    async => 1);
  print "RECEIPT $id\n";
}

sub serve {
  my ($sock) = @_;
  # Net::SMPP wraps an accepted socket by reblessing it.
  my $smpp = bless $sock, 'Net::SMPP';
  ${*$smpp}{$_} = Net::SMPP::Default->{$_} for keys %{Net::SMPP::Default()};
  $smpp->set_version(0x34);
  while (my $pdu = $smpp->read_pdu()) {
    my $cmd = $pdu->{cmd};
    if ($cmd == 0x00000009) {
      $smpp->bind_transceiver_resp(seq => $pdu->{seq}, system_id => 'netsmpp', async => 1);
      print "BIND $pdu->{system_id}\n";
      receipt($smpp, @$_) for @owed;
      @owed = ();
    } elsif ($cmd == 0x00000004) {
      $submits++;
      my $id = sprintf('NS%05d', $submits);
      print "SUBMIT $id $pdu->{destination_addr} esm=$pdu->{esm_class} dc=$pdu->{data_coding}\n";
      if ($submits == 3) {
        push @owed, [$id, $pdu->{destination_addr}];
        print "DROP\n";
        close $sock;
        return;
      }
      $smpp->submit_sm_resp(seq => $pdu->{seq}, message_id => $id, async => 1);
      receipt($smpp, $id, $pdu->{destination_addr});
    } elsif ($cmd == 0x80000005) {
      print "RECEIPT_ACK status=$pdu->{status}\n";
    } elsif ($cmd == 0x00000015) {
      $smpp->enquire_link_resp(seq => $pdu->{seq}, async => 1);
      print "ENQUIRE_LINK\n";
    } elsif ($cmd == 0x00000006) {
      $smpp->unbind_resp(seq => $pdu->{seq}, async => 1);
      print "UNBIND\n";
      close $sock;
      return;
    }
  }
  close $sock;
}
