package dev.mayfly.cli;
public class Main { public static void main(String[] a) {} }
